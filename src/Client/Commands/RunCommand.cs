using Pcn.Abstractions.Grains;
using Pcn.Client.CommandLine;
using Pcn.Client.Connection;

namespace Pcn.Client.Commands;

/// <summary>The shape of the commands that act on one run of a cluster: --cluster and --run, connect, act, print.</summary>
internal static class RunCommand
{
    public static async Task<int> RunAsync(IReadOnlyList<string> args, string command, TextWriter output, Func<ITrainingCoordinatorGrain, string, Task<string>> act)
    {
        ArgumentNullException.ThrowIfNull(output);
        var reader = new ArgumentReader(args, new HashSet<string>());
        string cluster = StatusCommand.RequireCluster(reader, command);
        string run = reader.OptionalString("--run") ?? throw new Abstractions.Options.InvalidOptionException("--run", "(missing)", $"name the run to {command} (see `pcn status`)");
        reader.RejectUnknown(command);
        await using ClusterConnection connection = await ClusterConnection.ConnectAsync(cluster, "pcn", "pcn", CancellationToken.None);
        output.WriteLine(await act(connection.Grains.GetGrain<ITrainingCoordinatorGrain>(run), run));
        return 0;
    }
}
