using Pcn.Abstractions.Options;

namespace Pcn.Abstractions.Messages;

/// <summary>Run ids become grain keys and directory names: 1–100 letters, digits, '-', '_' or '.', not starting with '.'.</summary>
public static class RunIds
{
    /// <summary>
    /// Throws <see cref="InvalidOptionException"/> for <paramref name="option"/> (the option the id came from: --run-id,
    /// or --name for a sweep, whose points' ids start with it) when <paramref name="runId"/> is not a valid id.
    /// </summary>
    public static string Validate(string runId, string option = "--run-id")
    {
        if (string.IsNullOrEmpty(runId) || runId.Length > 100 || runId.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) || runId.StartsWith('.'))
        {
            throw new InvalidOptionException(option, $"'{runId}'", "use 1–100 letters, digits, '-', '_' or '.', not starting with '.'");
        }

        return runId;
    }
}
