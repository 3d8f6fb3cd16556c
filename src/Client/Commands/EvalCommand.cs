using System.Globalization;
using Pcn.Abstractions.Grains;
using Pcn.Client.CommandLine;
using Pcn.Client.Connection;

namespace Pcn.Client.Commands;

/// <summary>`pcn eval --cluster host:port --run ID`: the test accuracy of a run's current weights.</summary>
public static class EvalCommand
{
    /// <summary>Runs the command; returns the process exit code.</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var reader = new ArgumentReader(args, new HashSet<string>());
        string cluster = StatusCommand.RequireCluster(reader, "eval");
        string run = reader.OptionalString("--run") ?? throw new Abstractions.Options.InvalidOptionException("--run", "(missing)", "name the run to evaluate (see `pcn status`)");
        reader.RejectUnknown("eval");
        await using ClusterConnection connection = await ClusterConnection.ConnectAsync(cluster, "pcn", "pcn", CancellationToken.None);
        double accuracy = await connection.Grains.GetGrain<ITrainingCoordinatorGrain>(run).EvaluateAsync();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{run}: test accuracy {accuracy:F2}%"));
        return 0;
    }
}
