using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using Pcn.Abstractions.Options;

namespace Pcn.Client.CommandLine;

/// <summary>
/// Turns the first fault System.CommandLine found in a command line into pcn's one line: the option, the value, and
/// what is allowed (exit 2), with System.CommandLine's typo correction where it has one.
/// </summary>
internal static class CommandLineErrors
{
    /// <summary>Values never start with "--" (negative numbers have one dash).</summary>
    public static bool LooksLikeOption(string text) => text.Length > 2 && text.StartsWith("--", StringComparison.Ordinal);

    /// <summary>The first fault of <paramref name="result"/>, which has errors.</summary>
    public static InvalidOptionException First(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);

        // A fault on an option is named first: an option without its value takes the next option as its value
        // ("--depth --data-dir D"), which leaves D unmatched, but the fault is the missing value.
        ParseError? onOption = result.Errors.FirstOrDefault(e => e.SymbolResult is OptionResult);
        if (onOption?.SymbolResult is OptionResult option)
        {
            return ForOption(option, onOption.Message);
        }

        if (result.UnmatchedTokens.Count > 0)
        {
            return ForUnmatched(result, result.UnmatchedTokens[0]);
        }

        // What is left is a response file that cannot be read (System.CommandLine's message names it).
        ParseError error = result.Errors[0];
        return new InvalidOptionException(error.SymbolResult is null ? "response file" : "command line", "(unreadable)", error.Message.TrimEnd('.'));
    }

    /// <summary>"pcn train" for the command <paramref name="result"/> parsed to.</summary>
    public static string CommandPath(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var names = new List<string>();
        for (SymbolResult? r = result.CommandResult; r is CommandResult command; r = r.Parent)
        {
            names.Insert(0, r.Parent is null ? "pcn" : command.Command.Name);
        }

        return string.Join(' ', names);
    }

    private static InvalidOptionException ForOption(OptionResult result, string message)
    {
        string name = result.Option.Name;
        bool list = result.Option.ValueType == typeof(string[]) && result.Option.Arity.MaximumNumberOfValues == 1;
        bool once = result.Option.Arity.MaximumNumberOfValues <= 1;
        if (once && result.IdentifierTokenCount > 1)
        {
            string values = result.Option.Arity.MaximumNumberOfValues == 0 ? "(flag)" : string.Join(" and ", result.Tokens.Select(t => $"'{t.Value}'"));
            return new InvalidOptionException(name, values, list ? "is given twice; give the values once, comma-separated" : "is given twice; give each option once");
        }

        if (result.Tokens.Count == 0 || result.Tokens.Any(t => LooksLikeOption(t.Value)))
        {
            return new InvalidOptionException(name, "(missing)", list ? "needs a value or a comma-separated list" : "needs a value");
        }

        return new InvalidOptionException(name, $"'{result.Tokens[0].Value}'", message);
    }

    private static InvalidOptionException ForUnmatched(ParseResult result, string token)
    {
        Command command = result.CommandResult.Command;
        string path = CommandPath(result);
        if (FlagBefore(result, token) is Option flag)
        {
            return new InvalidOptionException(flag.Name, $"'{token}'", $"{flag.Name} is a flag and takes no value: give it alone to turn it on, leave it out to keep it off");
        }

        IReadOnlyList<string> suggestions = TypoCorrections(result, token);
        string didYouMean = suggestions.Count == 0 ? string.Empty : $" (did you mean {string.Join(" or ", suggestions)}?)";
        if (token.StartsWith('-'))
        {
            string name = token.Split('=', 2)[0];
            return new InvalidOptionException(name, "(given)", $"is not an option of `{path}`{didYouMean}; see `{path} --help`");
        }

        if (result.CommandResult.Parent is null)
        {
            return new InvalidOptionException("command", $"'{token}'", $"allowed commands are {string.Join(", ", command.Subcommands.Select(c => c.Name))}{didYouMean}");
        }

        return new InvalidOptionException(token, $"'{token}'", $"expected an option such as --depth 8{didYouMean}; see `{path} --help`");
    }

    /// <summary>The flag <paramref name="token"/> was given to ("--quiet=yes", "--quiet yes"), if it follows one.</summary>
    private static Option? FlagBefore(ParseResult result, string token)
    {
        for (int i = 1; i < result.Tokens.Count; i++)
        {
            if (result.Tokens[i].Type == TokenType.Argument && result.Tokens[i].Value == token)
            {
                Token before = result.Tokens[i - 1];
                return before.Type != TokenType.Option
                    ? null
                    : result.CommandResult.Command.Options.FirstOrDefault(o => o.Arity.MaximumNumberOfValues == 0 && (o.Name == before.Value || o.Aliases.Contains(before.Value)));
            }
        }

        return null;
    }

    /// <summary>
    /// System.CommandLine's own typo corrections for <paramref name="token"/>. It computes them only inside its parse
    /// error action, which writes them to the output; that action is run here into a buffer, without its help and
    /// errors, and the names it suggests for this token are read back, so that they end up in pcn's one line.
    /// </summary>
    private static IReadOnlyList<string> TypoCorrections(ParseResult result, string token)
    {
        if (result.Action is not ParseErrorAction action)
        {
            return [];
        }

        action.ShowHelp = false;
        using var captured = new StringWriter();
        result.Invoke(new InvocationConfiguration { Output = captured, Error = TextWriter.Null, EnableDefaultExceptionHandler = false });
        var known = new HashSet<string>(
            result.CommandResult.Command.Children.SelectMany(s => s switch
            {
                Option o => [o.Name, .. o.Aliases],
                Command c => [c.Name, .. c.Aliases],
                _ => Array.Empty<string>(),
            }),
            StringComparer.Ordinal);

        // The corrections for one token follow a line that quotes it and end at a blank line.
        string[] lines = captured.ToString().Split('\n', StringSplitOptions.TrimEntries);
        int header = Array.FindIndex(lines, l => l.StartsWith($"'{token}'", StringComparison.Ordinal));
        return header < 0 ? [] : [.. lines.Skip(header + 1).TakeWhile(l => l.Length > 0).Where(known.Contains)];
    }
}
