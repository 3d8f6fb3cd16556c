using System.CommandLine;
using System.Globalization;
using Pcn.Abstractions.Grains;
using Pcn.Abstractions.Messages;
using Pcn.Client.Connection;

namespace Pcn.Client.Commands;

/// <summary>`pcn status`: every run of the cluster (or of the runs directory) and its state.</summary>
public static class StatusCommand
{
    /// <summary>The command.</summary>
    public static Command Create()
    {
        var command = new Command("status", "runs, their state and failure");
        foreach (Option option in RunTarget.Options)
        {
            command.Options.Add(option);
        }

        command.SetAction(result => RunAsync(RunTarget.Read(result), result.InvocationConfiguration.Output));
        return command;
    }

    private static async Task<int> RunAsync(RunTarget target, TextWriter output)
    {
        if (!target.HasRuns)
        {
            output.WriteLine(target.NoRunsMessage);
            return 0;
        }

        await using ClusterConnection connection = await target.ConnectAsync();
        IReadOnlyList<string> runs = await connection.Grains.GetGrain<IRunRegistryGrain>(0).ListAsync();
        if (runs.Count == 0)
        {
            output.WriteLine($"No runs in the {connection.Description}.");
            return 0;
        }

        output.WriteLine($"{"run",-36} {"state",-10} {"batches",-13} {"accuracy",-9} time");
        foreach (string run in runs)
        {
            RunSnapshot s = await connection.Grains.GetGrain<ITrainingCoordinatorGrain>(run).GetSnapshotAsync(int.MaxValue);
            RunSnapshot all = await connection.Grains.GetGrain<ITrainingCoordinatorGrain>(run).GetSnapshotAsync(0);
            double? accuracy = all.Summaries.LastOrDefault(b => b.TestAccuracy is not null)?.TestAccuracy;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{run,-36} {s.State.ToString().ToLowerInvariant(),-10} {$"{s.Batches}/{s.TotalBatches}",-13} {(accuracy is double a ? $"{a:F2}%" : "-"),-9} {s.ElapsedSeconds:F1} s{(s.Failure is null ? string.Empty : "  " + s.Failure)}"));
        }

        return 0;
    }
}
