using System.Globalization;
using Pcn.Abstractions.Options;

namespace Pcn.Client.CommandLine;

/// <summary>
/// Reads "--name value", "--name=value" and bare "--flag" arguments. Every option must be known to the command, and
/// every value must parse, or an <see cref="InvalidOptionException"/> names the option and what is allowed. An option
/// given twice is refused rather than one of them silently winning, and a flag given a value (<c>--quiet=yes</c>) is
/// refused rather than read as set whatever the value says.
/// </summary>
public sealed class ArgumentReader
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    /// <summary>Parses <paramref name="args"/>; <paramref name="flags"/> are the options that take no value.</summary>
    public ArgumentReader(IEnumerable<string> args, IReadOnlySet<string> flags)
    {
        using IEnumerator<string> e = args.GetEnumerator();
        while (e.MoveNext())
        {
            string arg = e.Current;
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                throw new InvalidOptionException(arg, $"'{arg}'", "expected an option such as --depth 8; see `pcn help`");
            }

            int equals = arg.IndexOf('=', StringComparison.Ordinal);
            string name = equals > 0 ? arg[..equals] : arg;
            string? value = equals > 0 ? arg[(equals + 1)..] : null;
            if (value is not null && flags.Contains(name))
            {
                throw new InvalidOptionException(name, $"'{value}'", $"{name} is a flag and takes no value: give it alone to turn it on, leave it out to keep it off");
            }

            if (value is null && !flags.Contains(name))
            {
                // "--run-id --quiet" would otherwise name a run "--quiet"; values never start with "--" (negative
                // numbers have one dash).
                if (!e.MoveNext() || (e.Current.StartsWith("--", StringComparison.Ordinal) && e.Current.Length > 2))
                {
                    throw new InvalidOptionException(name, "(missing)", "needs a value");
                }

                value = e.Current;
            }

            if (!_values.TryAdd(name, value))
            {
                throw new InvalidOptionException(name, value is null ? "(flag)" : $"'{_values[name]}' and '{value}'", "is given twice; give each option once");
            }
        }
    }

    /// <summary>True if the flag was given.</summary>
    public bool Flag(string name) => Take(name, out _);

    /// <summary>A string option, or <paramref name="fallback"/>.</summary>
    public string Text(string name, string fallback) => Take(name, out string? v) && v is not null ? v : fallback;

    /// <summary>An optional string option.</summary>
    public string? OptionalString(string name) => Take(name, out string? v) ? v : null;

    /// <summary>An integer option, or <paramref name="fallback"/>.</summary>
    public int Count(string name, int fallback) => OptionalInt(name) ?? fallback;

    /// <summary>An optional integer option.</summary>
    public int? OptionalInt(string name)
    {
        if (!Take(name, out string? v))
        {
            return null;
        }

        return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int parsed)
            ? parsed
            : throw new InvalidOptionException(name, $"'{v}'", "must be an integer");
    }

    /// <summary>A non-negative 64-bit integer option, or <paramref name="fallback"/>.</summary>
    public ulong Seed(string name, ulong fallback)
    {
        if (!Take(name, out string? v))
        {
            return fallback;
        }

        return ulong.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out ulong parsed)
            ? parsed
            : throw new InvalidOptionException(name, $"'{v}'", "must be an integer in [0, 18446744073709551615]");
    }

    /// <summary>A number option, or <paramref name="fallback"/>.</summary>
    public double Number(string name, double fallback)
    {
        if (!Take(name, out string? v))
        {
            return fallback;
        }

        return double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed)
            ? parsed
            : throw new InvalidOptionException(name, $"'{v}'", "must be a number such as 0.1 or 1e-3");
    }

    /// <summary>Throws for any option the command did not read.</summary>
    public void RejectUnknown(string command)
    {
        string? unknown = _values.Keys.FirstOrDefault(k => !_used.Contains(k));
        if (unknown is not null)
        {
            throw new InvalidOptionException(unknown, "(given)", $"is not an option of `pcn {command}`; see `pcn help`");
        }
    }

    private bool Take(string name, out string? value)
    {
        _used.Add(name);
        return _values.TryGetValue(name, out value);
    }
}
