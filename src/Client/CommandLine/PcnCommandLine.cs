using System.CommandLine;
using System.CommandLine.Invocation;
using Pcn.Abstractions.Options;
using Pcn.Client.Commands;
using Pcn.Client.Output;

namespace Pcn.Client.CommandLine;

/// <summary>
/// The `pcn` command line: every command and option, parsed by System.CommandLine, which also writes the help
/// (`pcn help [command]`, `--help`, `-h`), suggests completions (the <c>[suggest]</c> directive, `pcn completion`)
/// and expands response files (<c>@file</c>). A command line that does not parse ends in one line naming the fault.
/// </summary>
public static class PcnCommandLine
{
    private const string Description =
        "pcn — train deep predictive coding networks (µPC, standard PC, backprop with Depth-µP) on an Orleans cluster. " +
        "status, attach, results, eval, export and drop act on the runs of --cluster host:port[,...], or without it on those of --runs-dir DIR (runs). " +
        "Exit codes: 0 done, 1 error, 2 invalid options, 3 diverged, 130 cancelled.";

    /// <summary>The root command; `pcn train` times its start-up with <paramref name="startup"/>.</summary>
    public static RootCommand Create(StartupTimings.Clock startup)
    {
        var root = new RootCommand(Description)
        {
            TrainCommand.Create(startup),
            SweepCommand.Create(),
            DiagnoseCommand.Create(),
            PlotCommand.Create(),
            StatusCommand.Create(),
            ResultsCommand.CreateAttach(),
            ResultsCommand.CreateResults(),
            EvalCommand.Create(),
            ExportCommand.Create(),
            DropCommand.Create(),
        };
        root.Subcommands.Add(HelpCommand(root));
        root.Subcommands.Add(CompletionScripts.Create());
        root.SetAction(result => root.Parse(["--help"]).Invoke(result.InvocationConfiguration));
        return root;
    }

    /// <summary>
    /// Parses <paramref name="args"/> against <paramref name="root"/>.
    /// </summary>
    /// <exception cref="InvalidOptionException">The command line does not parse (the first fault, named).</exception>
    public static ParseResult Parse(RootCommand root, IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(root);
        ParseResult result = root.Parse(args);
        return result.Action is ParseErrorAction ? throw CommandLineErrors.First(result) : result;
    }

    /// <summary>Runs what <paramref name="result"/> asks for; its exceptions reach the caller, which says them in one line.</summary>
    public static Task<int> InvokeAsync(ParseResult result, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(result);

        // pcn handles Ctrl-C itself (the first cancels the run cleanly), and maps every exception to its line and exit code.
        return result.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, stop);
    }

    /// <summary>`pcn help [command]`: the same help as `pcn [command] --help`.</summary>
    private static Command HelpCommand(RootCommand root)
    {
        var name = new Argument<string?>("command") { Description = "the command to explain", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("help", "this help, or a command's: the same as pcn COMMAND --help") { name };
        command.SetAction(result =>
        {
            string? asked = result.GetValue(name);
            if (asked is not null && !root.Subcommands.Any(c => c.Name == asked))
            {
                throw new InvalidOptionException("command", $"'{asked}'", $"allowed commands are {string.Join(", ", root.Subcommands.Select(c => c.Name))}");
            }

            return root.Parse(asked is null ? ["--help"] : [asked, "--help"]).Invoke(result.InvocationConfiguration);
        });
        return command;
    }
}
