using Pcn.Abstractions.Grains;
using Pcn.Client.CommandLine;
using Pcn.Client.Connection;

namespace Pcn.Client.Commands;

/// <summary>The shape of the commands that act on one run: --run, and --cluster or --runs-dir; connect, act, print.</summary>
internal static class RunCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, string command, TextWriter output, Func<ITrainingCoordinatorGrain, string, Task<string>> act, IReadOnlySet<string>? flags = null, Action<ArgumentReader>? readMore = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        var reader = new ArgumentReader(args, flags ?? new HashSet<string>());
        RunTarget target = RunTarget.Read(reader);
        string run = RequireRun(reader, command);
        readMore?.Invoke(reader);
        reader.RejectUnknown(command);
        await using ClusterConnection connection = await target.ConnectAsync();
        output.WriteLine(await act(connection.Grains.GetGrain<ITrainingCoordinatorGrain>(run), run));
        return 0;
    }

    /// <summary>The --run option.</summary>
    public static string RequireRun(ArgumentReader reader, string command)
    {
        ArgumentNullException.ThrowIfNull(reader);
        string run = reader.OptionalString("--run") ?? throw new Abstractions.Options.InvalidOptionException("--run", "(missing)", $"name the run to {command} (see `pcn status`)");
        Abstractions.Messages.RunIds.Validate(run, "--run");
        return run;
    }
}
