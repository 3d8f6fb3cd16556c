using System.CommandLine;
using Pcn.Abstractions.Grains;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;
using Pcn.Client.CommandLine;
using Pcn.Client.Connection;
using Pcn.Client.Output;

namespace Pcn.Client.Commands;

/// <summary>
/// `pcn export --run ID --out FILE`: a finished run's weights and network options as an .npz (see
/// <see cref="ExportedNetwork"/>), for numpy, PyTorch or JAX, or `pcn train --init-from`.
/// </summary>
public static class ExportCommand
{
    private static readonly Option<string?> Out = PcnOption.OptionalText("--out", "the .npz file to write");

    /// <summary>The command.</summary>
    public static Command Create()
    {
        Command command = RunCommand.Create("export", "a finished run's weights and configuration as .npz (numpy.load reads it)", Out);
        command.SetAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult result)
    {
        TextWriter output = result.InvocationConfiguration.Output;
        RunTarget target = RunTarget.Read(result);
        string run = CommonOptions.ReadRun(result, "export");
        string file = result.GetValue(Out) ?? throw new InvalidOptionException("--out", "(missing)", "name the .npz file to write, e.g. --out weights.npz");
        if (Directory.Exists(file))
        {
            throw new InvalidOptionException("--out", file, "is a directory; name the .npz file to write, e.g. --out weights.npz");
        }

        // Checked before the run is read: a file that cannot be written is said at once, with its directory named.
        OutputDirectory.RequireWritable(Path.GetDirectoryName(Path.GetFullPath(file))!, "--out");

        await using ClusterConnection connection = await target.ConnectAsync();
        ITrainingCoordinatorGrain coordinator = connection.Grains.GetGrain<ITrainingCoordinatorGrain>(run);
        RunSnapshot snapshot = await coordinator.GetSnapshotAsync(int.MaxValue);
        if (!snapshot.IsFinished)
        {
            throw new InvalidOperationException($"Run '{run}' is still training; export it when it has finished (or cancel it first).");
        }

        var weights = new List<float[]>();
        for (int l = 1; l <= snapshot.Request.Network.LayerCount; l++)
        {
            TensorPayload payload = await coordinator.GetWeightsAsync(l);
            weights.Add(payload.Values.ToArray());
        }

        ExportedNetwork.Write(file, run, snapshot.Batches, snapshot.Request.Network, weights);
        output.WriteLine($"{run}: wrote the weights of {weights.Count} layers after batch {snapshot.Batches} to {Path.GetFullPath(file)}");
        return 0;
    }
}
