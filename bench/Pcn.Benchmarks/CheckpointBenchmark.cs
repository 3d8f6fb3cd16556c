using System.Globalization;
using Orleans.TestingHost;
using Pcn.Abstractions.Grains;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;
using Pcn.Grains.Hosting;

namespace Pcn.Benchmarks;

/// <summary>
/// Issue #10: what checkpoints cost. The README's default run (µPC, H = 8, N = 128, B = 64, one epoch of
/// Fashion-MNIST) through the grains of one silo, with a checkpoint every <see cref="TrainingOptions.DefaultCheckpointEvery"/>
/// batches against one only at the end, in alternating rounds; the ratio of training times is the cost.
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
            var network = new NetworkOptions(Depth: 8, Width: 128);
            var data = DataSource.FashionMnist(dataDir);
            Console.WriteLine($"Checkpoint cost: µPC H=8 N=128 B=64, one epoch through the grains of one silo, every {TrainingOptions.DefaultCheckpointEvery} batches vs only at the end ({rounds} rounds after a warm-up, alternating order)");
            await TrainAsync(cluster.GrainFactory, network, new TrainingOptions(CheckpointEvery: 0), data, "warm-up");
            var ratios = new List<double>();
            for (int round = 1; round <= rounds; round++)
            {
                bool onFirst = round % 2 == 1;
                double first = await TrainAsync(cluster.GrainFactory, network, new TrainingOptions(CheckpointEvery: onFirst ? TrainingOptions.DefaultCheckpointEvery : 0), data, $"r{round}a");
                double second = await TrainAsync(cluster.GrainFactory, network, new TrainingOptions(CheckpointEvery: onFirst ? 0 : TrainingOptions.DefaultCheckpointEvery), data, $"r{round}b");
                (double on, double off) = onFirst ? (first, second) : (second, first);
                ratios.Add(on / off);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  round {round}: with checkpoints {on:F3} s, without {off:F3} s, ratio {on / off:F4} ({(on - off) / 9 * 1e3:F1} ms per checkpoint over 9)"));
            }

            ratios.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  median ratio {ratios[ratios.Count / 2]:F4} → checkpoints cost {(ratios[ratios.Count / 2] - 1) * 100:F2}% of training time (target ≤ 3%)"));
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    /// <summary>Trains one run to its end; returns its training seconds (evaluations excluded).</summary>
    private static async Task<double> TrainAsync(IGrainFactory grains, NetworkOptions network, TrainingOptions training, DataSource data, string name)
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

        await coordinator.DropAsync(keepCheckpoints: false);
        return snapshot.Timings.TrainingSeconds;
    }

    private sealed class PcnSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddPcnGrainsOnOneMachine(BenchStore.Directory);
    }
}
