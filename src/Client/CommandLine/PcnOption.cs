using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Pcn.Client.CommandLine;

/// <summary>
/// pcn's options, declared on System.CommandLine with pcn's rules: a value never starts with "--" (so that
/// <c>--run-id --quiet</c> is a missing value, not a run named "--quiet"), an option is given once, a flag takes no
/// value, and a value that does not parse says what is allowed. System.CommandLine records each fault as a parse error;
/// <see cref="CommandLineErrors"/> turns the first into pcn's one line.
/// </summary>
internal static class PcnOption
{
    private const string NumberAllowed = "must be a number such as 0.1 or 1e-3";

    private delegate bool TryParse<T>(string text, out T value);

    /// <summary>A text value with a default.</summary>
    public static Option<string> Text(string name, string description, string defaultValue) =>
        Value<string>(name, description, Accept, "needs a value", () => defaultValue);

    /// <summary>A text value that may be left out (null).</summary>
    public static Option<string?> OptionalText(string name, string description) =>
        Value<string?>(name, description, (string text, out string? value) => Accept(text, out value), "needs a value");

    /// <summary>An integer with a default.</summary>
    public static Option<int> Integer(string name, string description, int defaultValue) =>
        Value<int>(name, description, ParseInteger, "must be an integer", () => defaultValue);

    /// <summary>An integer that may be left out (null).</summary>
    public static Option<int?> OptionalInteger(string name, string description) =>
        Value<int?>(name, description, (string text, out int? value) => Nullable(ParseInteger, text, out value), "must be an integer");

    /// <summary>A number with a default.</summary>
    public static Option<double> Number(string name, string description, double defaultValue) =>
        Value<double>(name, description, ParseNumber, NumberAllowed, () => defaultValue);

    /// <summary>A number that may be left out (null).</summary>
    public static Option<double?> OptionalNumber(string name, string description) =>
        Value<double?>(name, description, (string text, out double? value) => Nullable(ParseNumber, text, out value), NumberAllowed);

    /// <summary>A seed: a non-negative 64-bit integer.</summary>
    public static Option<ulong> Seed(string name, string description, ulong defaultValue) =>
        Value<ulong>(name, description, (string text, out ulong value) => ulong.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value), "must be an integer in [0, 18446744073709551615]", () => defaultValue);

    /// <summary>A comma-separated list (a sweep's axis), given once; null when left out.</summary>
    public static Option<string[]?> List(string name, string description)
    {
        Option<string[]?> option = Value<string[]?>(name, description, SplitList, "needs a value or a comma-separated list such as 8,16");
        option.HelpName = "list";
        return option;
    }

    /// <summary>A value that may be given several times, each time with its own option (<c>--run a --run b</c>); null when left out.</summary>
    public static Option<string[]?> Repeated(string name, string description)
    {
        var option = new Option<string[]?>(name) { Description = description, Arity = ArgumentArity.OneOrMore, AllowMultipleArgumentsPerToken = false };
        option.CustomParser = result =>
        {
            if (result.Tokens.Count == 0 || result.Tokens.Any(t => CommandLineErrors.LooksLikeOption(t.Value)))
            {
                result.AddError("needs a value");
                return [];
            }

            return [.. result.Tokens.Select(t => t.Value)];
        };
        return option;
    }

    /// <summary>A flag: on when given, off when left out; it takes no value.</summary>
    public static Option<bool> Flag(string name, string description)
    {
        // Arity zero: "--quiet=yes" or "--quiet yes" leaves the value unmatched, which is refused as a flag's value.
        var option = new Option<bool>(name) { Description = description, Arity = ArgumentArity.Zero };
        option.Validators.Add(RefuseRepeats);
        return option;
    }

    private static Option<T> Value<T>(string name, string description, TryParse<T> parse, string allowed, Func<T>? defaultValue = null)
    {
        var option = new Option<T>(name) { Description = description, Arity = ArgumentArity.ExactlyOne };
        if (defaultValue is not null)
        {
            option.DefaultValueFactory = _ => defaultValue();
        }

        option.Validators.Add(RefuseRepeats);
        option.CustomParser = result =>
        {
            if (result.Tokens.Count != 1 || CommandLineErrors.LooksLikeOption(result.Tokens[0].Value))
            {
                result.AddError("needs a value");
                return default;
            }

            if (parse(result.Tokens[0].Value, out T value))
            {
                return value;
            }

            result.AddError(allowed);
            return default;
        };
        return option;
    }

    /// <summary>
    /// An option given twice is refused rather than one of them silently winning. (A second value is an arity error
    /// already; a flag, or an option whose second mention has no value, would otherwise pass.)
    /// </summary>
    private static void RefuseRepeats(OptionResult result)
    {
        if (result.IdentifierTokenCount > 1)
        {
            result.AddError("is given twice");
        }
    }

    private static bool Accept(string text, out string value)
    {
        value = text;
        return true;
    }

    private static bool ParseInteger(string text, out int value) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value);

    private static bool ParseNumber(string text, out double value) => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    private static bool Nullable<T>(TryParse<T> parse, string text, out T? value)
        where T : struct
    {
        bool parsed = parse(text, out T v);
        value = parsed ? v : null;
        return parsed;
    }

    /// <summary>An empty list would otherwise fall back to the default value without a word.</summary>
    private static bool SplitList(string text, out string[]? values)
    {
        values = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return values.Length > 0;
    }
}
