using System.CommandLine;
using System.Globalization;

namespace Pcn.Client.Commands;

/// <summary>`pcn eval --run ID`: the test accuracy of a run's current weights.</summary>
public static class EvalCommand
{
    /// <summary>The command.</summary>
    public static Command Create() =>
        RunCommand.Create("eval", "test accuracy of a finished run's weights", "eval", async (_, coordinator, run) =>
        {
            double accuracy = await coordinator.EvaluateAsync();
            return string.Create(CultureInfo.InvariantCulture, $"{run}: test accuracy {accuracy:F2}%");
        });
}
