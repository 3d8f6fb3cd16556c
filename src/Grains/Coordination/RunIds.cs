namespace Pcn.Grains.Coordination;

/// <summary>Run ids become grain keys and file names: letters, digits, '-', '_' and '.', at most 100 characters.</summary>
public static class RunIds
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the fault.</summary>
    public static void Validate(string runId)
    {
        if (string.IsNullOrEmpty(runId) || runId.Length > 100 || runId.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')) || runId.StartsWith('.'))
        {
            throw new ArgumentException($"Invalid run id '{runId}': use 1–100 letters, digits, '-', '_' or '.', not starting with '.'.", nameof(runId));
        }
    }
}
