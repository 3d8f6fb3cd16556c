using Pcn.Client.CommandLine;

namespace Pcn.Client.Commands;

/// <summary>
/// `pcn drop --run ID [--keep-checkpoints]`: forgets a finished run: its layers' memory, its metric series on every
/// silo, its stored record and registry entry, and its checkpoints unless kept.
/// </summary>
public static class DropCommand
{
    /// <summary>Runs the command; returns the process exit code.</summary>
    public static Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output)
    {
        bool keep = false;
        return RunCommand.RunAsync(
            args,
            "drop",
            output,
            async (coordinator, run) =>
            {
                await coordinator.DropAsync(keep);
                return $"{run}: dropped (layers released, metric series and stored state removed{(keep ? "; checkpoints kept" : ", checkpoints deleted")})";
            },
            new HashSet<string>(StringComparer.Ordinal) { "--keep-checkpoints" },
            (ArgumentReader reader) => keep = reader.Flag("--keep-checkpoints"));
    }
}
