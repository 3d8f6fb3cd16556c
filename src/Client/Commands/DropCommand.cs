using Pcn.Abstractions.Grains;
using Pcn.Client.CommandLine;
using Pcn.Client.Connection;

namespace Pcn.Client.Commands;

/// <summary>`pcn drop --cluster host:port --run ID`: releases a finished run's layers and removes its metric series.</summary>
public static class DropCommand
{
    /// <summary>Runs the command; returns the process exit code.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var reader = new ArgumentReader(args, new HashSet<string>());
        string cluster = StatusCommand.RequireCluster(reader, "drop");
        string run = reader.OptionalString("--run") ?? throw new Abstractions.Options.InvalidOptionException("--run", "(missing)", "name the run to drop (see `pcn status`)");
        reader.RejectUnknown("drop");
        await using ClusterConnection connection = await ClusterConnection.ConnectAsync(cluster, "pcn", "pcn", CancellationToken.None);
        await connection.Grains.GetGrain<ITrainingCoordinatorGrain>(run).DropAsync();
        output.WriteLine($"{run}: dropped (layers released, metric series removed)");
        return 0;
    }
}
