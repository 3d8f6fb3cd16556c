using System.Globalization;
using Orleans.TestingHost;
using Pcn.Abstractions.Grains;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;
using Pcn.Grains.Hosting;
using Pcn.Grains.Persistence;

namespace Pcn.Benchmarks;

/// <summary>
/// Issue #10: what checkpoints cost. The README's default run (µPC, H = 8, N = 128, B = 64, one epoch of
/// Fashion-MNIST: about 2 ms a batch, the worst case for checkpoints) through the grains of one silo: with the default
/// pacing (by time), with a checkpoint every 100 batches, and with one only at the end, in rounds that rotate the order;
/// the ratios of training times to the end-only run are the costs.
/// </summary>
internal static class CheckpointBenchmark
{
    public static async Task RunAsync(string dataDir, int rounds)
    {
        var builder = new TestClusterBuilder(1);
        builder.AddSiloBuilderConfigurator<PcnSilo>();
        TestCluster cluster = builder.Build();
        await cluster.DeployAsync();
        try
        {
            var data = DataSource.FashionMnist(dataDir);
            await CompareAsync(cluster.GrainFactory, "µPC H=8 N=128 B=64, one epoch (2 ms a batch: the default takes no checkpoint before the end)", new NetworkOptions(Depth: 8, Width: 128), new TrainingOptions(), data, [("default (paced by time)", null), ("every 100 batches", 100)], rounds);
            await CompareAsync(cluster.GrainFactory, "µPC H=128 N=128 B=64, 100 batches (about 40 s: the default takes one checkpoint)", new NetworkOptions(Depth: 128, Width: 128), new TrainingOptions(BatchLimit: 100, TestEvery: 1000), data, [("default (paced by time)", null), ("every 25 batches", 25)], Math.Max(2, rounds / 2));
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    /// <summary>
    /// Each variant against the same run with a checkpoint only at the end, in rounds that rotate the order; prints the
    /// times, the checkpoints taken, and each variant's median ratio to the end-only run.
    /// </summary>
    private static async Task CompareAsync(IGrainFactory grains, string title, NetworkOptions network, TrainingOptions training, DataSource data, (string Name, int? Every)[] variants, int rounds)
    {
        Console.WriteLine($"Checkpoint cost: {title}, through the grains of one silo ({rounds} rounds after a warm-up, order rotated)");
        (string Name, int? Every)[] all = [.. variants, ("only at the end", 0)];
        await TrainAsync(grains, network, training with { CheckpointEvery = 0 }, data, "warm-up");
        var ratios = all.Select(_ => new List<double>()).ToArray();
        for (int round = 1; round <= rounds; round++)
        {
            var results = new (double Seconds, int Checkpoints)[all.Length];
            for (int k = 0; k < all.Length; k++)
            {
                int v = (k + round) % all.Length;
                results[v] = await TrainAsync(grains, network, training with { CheckpointEvery = all[v].Every }, data, $"r{round}v{v}");
            }

            for (int v = 0; v < all.Length; v++)
            {
                ratios[v].Add(results[v].Seconds / results[^1].Seconds);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  round {round}: {string.Join(", ", all.Select((x, v) => $"{x.Name} {results[v].Seconds:F3} s ({results[v].Checkpoints} checkpoints before the end)"))}"));
        }

        for (int v = 0; v < all.Length - 1; v++)
        {
            ratios[v].Sort();
            double median = ratios[v][ratios[v].Count / 2];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {all[v].Name}: median ratio to end-only {median:F4} → {(median - 1) * 100:F2}% of training time (target ≤ 3%)"));
        }
    }

    /// <summary>Trains one run to its end; returns its training seconds (evaluations excluded).</summary>
    private static async Task<(double Seconds, int Checkpoints)> TrainAsync(IGrainFactory grains, NetworkOptions network, TrainingOptions training, DataSource data, string name)
    {
        var request = new RunRequest($"checkpoint-bench-{name}-{Guid.NewGuid():N}", network, training, data);
        ITrainingCoordinatorGrain coordinator = grains.GetGrain<ITrainingCoordinatorGrain>(request.RunId);
        RunSnapshot snapshot = await coordinator.StartAsync(request);
        while (!snapshot.IsFinished)
        {
            await Task.Delay(100);
            snapshot = await coordinator.GetSnapshotAsync(int.MaxValue);
        }

        if (snapshot.State != RunState.Completed)
        {
            throw new InvalidOperationException($"The benchmark run ended {snapshot.State}: {snapshot.Failure}");
        }

        // Checkpoints before the end: the batches at which the run's record moved on, counted from its checkpoint events.
        int checkpoints = CountCheckpoints(request.RunId);
        await coordinator.DropAsync(keepCheckpoints: false);
        return (snapshot.Timings.TrainingSeconds, checkpoints);
    }

    /// <summary>Checkpoints the run took before its end: the bench's silo keeps all of them, so they are its directories less the final one.</summary>
    private static int CountCheckpoints(string runId)
    {
        string directory = Path.Combine(BenchStore.Directory, runId);
        return Directory.Exists(directory) ? Math.Max(0, Directory.GetDirectories(directory, "checkpoint-*").Length - 1) : 0;
    }

    private sealed class PcnSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder
            .AddPcnFileStorage(Path.Combine(BenchStore.Directory, ".state"))
            .AddPcnGrains(new CheckpointSettings(BenchStore.Directory, Keep: int.MaxValue));
    }
}
