namespace Pcn.Client.Commands;

/// <summary>`pcn drop --cluster host:port --run ID`: releases a finished run's layers and removes its metric series.</summary>
public static class DropCommand
{
    /// <summary>Runs the command; returns the process exit code.</summary>
    public static Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output) =>
        RunCommand.RunAsync(args, "drop", output, async (coordinator, run) =>
        {
            await coordinator.DropAsync();
            return $"{run}: dropped (layers released, metric series removed)";
        });
}
