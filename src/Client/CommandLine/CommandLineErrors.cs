using System.CommandLine;
using System.CommandLine.Parsing;
using Pcn.Abstractions.Options;

namespace Pcn.Client.CommandLine;

/// <summary>
/// Turns the first fault System.CommandLine found in a command line into pcn's one line: the option, the value, and
/// what is allowed (exit 2), with a typo correction where a name is close.
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
    /// The names of <paramref name="token"/>'s kind (options for "--x", subcommands otherwise) of the parsed command
    /// closest to it, when they are within a typo: at most one edit (insertion, deletion, substitution or swap of two
    /// neighbours) per three characters, at least one.
    /// </summary>
    private static IReadOnlyList<string> TypoCorrections(ParseResult result, string token)
    {
        bool option = token.StartsWith('-');
        string typed = token.Split('=', 2)[0].TrimStart('-');
        IEnumerable<string> names = result.CommandResult.Command.Children.SelectMany(s => s switch
        {
            Option o when option => [o.Name, .. o.Aliases],
            Command c when !option => [c.Name, .. c.Aliases],
            _ => Array.Empty<string>(),
        });
        (string Name, int Distance)[] close = [.. names.Distinct(StringComparer.Ordinal)
            .Select(n => (Name: n, Distance: EditDistance(typed, n.TrimStart('-'))))
            .Where(c => c.Distance <= Math.Max(1, typed.Length / 3))];
        return close.Length == 0 ? [] : [.. close.Where(c => c.Distance == close.Min(d => d.Distance)).Select(c => c.Name).Order(StringComparer.Ordinal)];
    }

    /// <summary>Edits from <paramref name="a"/> to <paramref name="b"/>, a swap of neighbours counting as one.</summary>
    private static int EditDistance(string a, string b)
    {
        int[,] d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
