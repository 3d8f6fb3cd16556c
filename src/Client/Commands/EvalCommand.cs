using System.Globalization;

namespace Pcn.Client.Commands;

/// <summary>`pcn eval --cluster host:port --run ID`: the test accuracy of a run's current weights.</summary>
public static class EvalCommand
{
    /// <summary>Runs the command; returns the process exit code.</summary>
    public static Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output) =>
        RunCommand.RunAsync(args, "eval", output, async (coordinator, run) =>
        {
            double accuracy = await coordinator.EvaluateAsync();
            return string.Create(CultureInfo.InvariantCulture, $"{run}: test accuracy {accuracy:F2}%");
        });
}
