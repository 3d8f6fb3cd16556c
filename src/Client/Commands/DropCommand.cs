using System.CommandLine;
using Pcn.Client.CommandLine;

namespace Pcn.Client.Commands;

/// <summary>
/// `pcn drop --run ID [--keep-checkpoints]`: forgets a finished run: its layers' memory, its metric series on every
/// silo, its stored record and registry entry, and its checkpoints unless kept.
/// </summary>
public static class DropCommand
{
    private static readonly Option<bool> KeepCheckpoints = PcnOption.Flag("--keep-checkpoints", "keep the run's checkpoints");

    /// <summary>The command.</summary>
    public static Command Create() =>
        RunCommand.Create(
            "drop",
            "forget a finished run: layers, metric series, stored state, checkpoints",
            "drop",
            async (result, coordinator, run) =>
            {
                bool keep = result.GetValue(KeepCheckpoints);
                await coordinator.DropAsync(keep);
                return $"{run}: dropped (layers released, metric series and stored state removed{(keep ? "; checkpoints kept" : ", checkpoints deleted")})";
            },
            KeepCheckpoints);
}
