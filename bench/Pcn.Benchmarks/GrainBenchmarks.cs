using Orleans.TestingHost;
using Pcn.Abstractions.Grains;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;
using Pcn.Data;
using Pcn.GpuKernels.Backends.Cpu;
using Pcn.Grains.Hosting;
using Pcn.Network.Training;

namespace Pcn.Benchmarks;

/// <summary>
/// Issue #3's figures: µPC throughput through the layer grains on one silo against the single-process trainer on the
/// same configuration, and silo-to-silo tensor transfer with the raw-byte codec against Orleans' float[] codec.
/// </summary>
internal static class GrainBenchmarks
{
    /// <summary>The issue's three configurations (B = 64), with enough batches for a few seconds per measurement.</summary>
    public static readonly GrainConfig[] Defaults = [new(8, 128, 8, 600), new(128, 128, 128, 12), new(32, 512, 32, 12)];

    /// <summary>
    /// Per configuration: a warm-up round, then <paramref name="rounds"/> rounds that alternate which path goes first,
    /// each timing the single-process trainer and the same run through the grains of one silo; the protocol of the
    /// grain run counted per batch by its coordinator. Then silo-to-silo tensor transfer with both codecs.
    /// </summary>
    public static async Task RunAsync(string dataDir, IReadOnlyList<GrainConfig> configs, int rounds)
    {
        var cluster = new TestClusterBuilder(2);
        cluster.AddSiloBuilderConfigurator<PcnSilo>();
        TestCluster silos = cluster.Build();
        await silos.DeployAsync();
        try
        {
            // One silo for the throughput ratio (the "embedded silo" case): the run's layers all land on silo 0
            // when the second silo is stopped.
            await silos.StopSiloAsync(silos.SecondarySilos[0]);
            foreach (GrainConfig config in configs)
            {
                await CompareAsync(silos.GrainFactory, dataDir, config, rounds);
            }

            await silos.StartAdditionalSiloAsync();
            await silos.WaitForLivenessToStabilizeAsync();
            ITransferProbeGrain first = silos.GrainFactory.GetGrain<ITransferProbeGrain>("probe/1/2");
            string a = await first.GetSiloAsync(), b = await silos.GrainFactory.GetGrain<ITransferProbeGrain>("probe/2/2").GetSiloAsync();
            int width = configs[0].Width;
            Console.WriteLine($"Tensor transfer 64×{width} from silo {a} to silo {b} (best of 3 rounds of 200):");
            double raw = double.MaxValue, array = double.MaxValue;
            for (int round = 0; round < 3; round++)
            {
                raw = Math.Min(raw, await first.SendAsync("probe/2/2", 200, 64, width, rawBytes: true));
                array = Math.Min(array, await first.SendAsync("probe/2/2", 200, 64, width, rawBytes: false));
            }

            Console.WriteLine($"  raw-byte TensorPayload codec {raw * 1e6,8:F1} µs   float[] codec {array * 1e6,8:F1} µs   speed-up {array / raw:F2}× (target ≥ 4×)");
        }
        finally
        {
            await silos.StopAllSilosAsync();
            await silos.DisposeAsync();
        }
    }

    private static async Task CompareAsync(IGrainFactory grains, string dataDir, GrainConfig config, int rounds)
    {
        var network = new NetworkOptions(config.Depth, config.Width, Seed: 1);
        var training = new TrainingOptions(InferenceSteps: config.Steps, BatchLimit: config.Batches, TestEvery: int.MaxValue);
        int warmupBatches = Math.Max(2, config.Batches / 10);
        var data = new DataSource(dataDir, 0.5f, 0.5f, LimitTrain: 64 * config.Batches, LimitTest: 64);
        Dataset dataset = Dataset.Load(data.Directory, Normalisation.FashionMnist, data.LimitTrain, data.LimitTest);
        Console.WriteLine($"µPC through the grains (one silo) vs the single-process trainer: H={config.Depth} N={config.Width} B=64 T={config.Steps}, batches {warmupBatches + 1}..{config.Batches} timed");
        var ratios = new List<double>();
        double bestSingle = 0, bestGrains = 0;
        ProtocolCounts protocol = ProtocolCounts.Zero;
        var allocations = new List<double>();
        for (int round = 0; round <= rounds; round++)
        {
            // Odd rounds run the grains first, so a slow spell on this shared machine does not always hit the same path.
            double single = 0, grainRate = 0;
            double allocated;
            if (round % 2 == 1)
            {
                (grainRate, protocol, allocated) = await ThroughGrainsMeasuredAsync(grains, network, training, data, warmupBatches, round);
                single = SingleProcess(network, training, dataset, warmupBatches);
            }
            else
            {
                single = SingleProcess(network, training, dataset, warmupBatches);
                (grainRate, protocol, allocated) = await ThroughGrainsMeasuredAsync(grains, network, training, data, warmupBatches, round);
            }

            if (round > 0 && double.IsFinite(allocated))
            {
                allocations.Add(allocated);
            }

            Console.WriteLine($"  round {round}{(round == 0 ? " (warm-up)" : string.Empty)}: single process {single,9:F1} samples/s   grains {grainRate,9:F1} samples/s   ratio {grainRate / single:F3}");
            if (round > 0)
            {
                ratios.Add(grainRate / single);
                (bestSingle, bestGrains) = (Math.Max(bestSingle, single), Math.Max(bestGrains, grainRate));
            }
        }

        ratios.Sort();
        double median = (ratios[(ratios.Count - 1) / 2] + ratios[ratios.Count / 2]) / 2;
        double batches = protocol.Batches;
        Console.WriteLine($"  counted per batch (coordinator, {protocol.Batches} batches incl. the final commit): coordinator calls {protocol.CoordinatorCalls / batches:F2}, layer reports {protocol.LayerReports / batches:F2}, " +
            $"neighbour messages {protocol.NeighbourMessages / batches:F1} ({protocol.LocalMessages / batches:F1} through the silo's exchange, {protocol.RemoteMessages / batches:F1} as Orleans messages), sequential barriers {protocol.Barriers / batches:F2}");
        if (allocations.Count > 0)
        {
            double perBatch = allocations.Min();
            Console.WriteLine($"  allocated per batch in steady state (the whole process: coordinator, layers, Orleans, this benchmark's polling; least of the rounds): {perBatch / 1024:F1} KiB, {perBatch / (protocol.NeighbourMessages / batches):F0} bytes per neighbour message");
        }

        Console.WriteLine($"  ratio grains ÷ single process: median of rounds 1–{rounds} {median:F3}; best rounds {bestGrains:F1} ÷ {bestSingle:F1} = {bestGrains / bestSingle:F3}");
    }

    private static double SingleProcess(NetworkOptions network, TrainingOptions training, Dataset data, int warmupBatches)
    {
        using var trainer = new Trainer(new CpuBackend(), network, training, data);
        var reports = new List<BatchReport>();
        trainer.Run(new Collect<BatchReport>(reports.Add));
        return Rate(reports.Select(r => (r.Batch, r.Elapsed.TotalSeconds)).ToList(), warmupBatches, training.BatchSize);
    }

    private static async Task<(double Rate, ProtocolCounts Protocol)> ThroughGrainsAsync(IGrainFactory grains, NetworkOptions network, TrainingOptions training, DataSource data, int warmupBatches, int round)
    {
        (double rate, ProtocolCounts protocol, _) = await ThroughGrainsMeasuredAsync(grains, network, training, data, warmupBatches, round);
        return (rate, protocol);
    }

    /// <summary>The run's rate, its protocol counts, and the bytes the whole process allocated per batch in its timed part.</summary>
    private static async Task<(double Rate, ProtocolCounts Protocol, double AllocatedPerBatch)> ThroughGrainsMeasuredAsync(IGrainFactory grains, NetworkOptions network, TrainingOptions training, DataSource data, int warmupBatches, int round)
    {
        var request = new RunRequest($"bench-{round}-{Guid.NewGuid():N}", network, training, data);
        ITrainingCoordinatorGrain coordinator = grains.GetGrain<ITrainingCoordinatorGrain>(request.RunId);
        RunSnapshot snapshot = await coordinator.StartAsync(request);
        var summaries = new List<BatchSummary>();
        (int Batch, long Bytes)? first = null, last = null;
        while (!snapshot.IsFinished)
        {
            await Task.Delay(50);
            snapshot = await coordinator.GetSnapshotAsync(summaries.Count == 0 ? 0 : summaries[^1].Batch);
            summaries.AddRange(snapshot.Summaries);

            // Allocation between two polls inside the timed batches (the evaluation after the last batch excluded).
            if (snapshot.Batches > warmupBatches && snapshot.Batches < snapshot.TotalBatches)
            {
                last = (snapshot.Batches, GC.GetTotalAllocatedBytes(precise: true));
                first ??= last;
            }
        }

        if (snapshot.State != RunState.Completed)
        {
            throw new InvalidOperationException($"The benchmark run ended {snapshot.State}: {snapshot.Failure}");
        }

        double rate = Rate(summaries.Select(s => (s.Batch, s.ElapsedSeconds)).ToList(), warmupBatches, training.BatchSize);
        await coordinator.DropAsync(keepCheckpoints: false);
        double allocated = first is { } a && last is { } b && b.Batch > a.Batch ? (double)(b.Bytes - a.Bytes) / (b.Batch - a.Batch) : double.NaN;
        return (rate, snapshot.Protocol, allocated);
    }

    /// <summary>Samples per second between the end of batch <paramref name="warmupBatches"/> and the last batch.</summary>
    private static double Rate(List<(int Batch, double Seconds)> times, int warmupBatches, int batchSize)
    {
        (int firstBatch, double start) = times.First(t => t.Batch == warmupBatches);
        (int lastBatch, double end) = times[^1];
        return (lastBatch - firstBatch) * batchSize / (end - start);
    }

    private sealed class Collect<T>(Action<T> add) : IProgress<T>
    {
        public void Report(T value) => add(value);
    }

    private sealed class PcnSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddPcnGrainsOnOneMachine(BenchStore.Directory);
    }

    private sealed class PcnSiloWithoutMetrics : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddPcnGrainsOnOneMachine(BenchStore.Directory, metrics: false);
    }

    /// <summary>
    /// Issue #4: the same µPC run through the grains on two one-silo clusters, one recording metrics and one not,
    /// alternating rounds after a warm-up round; prints the time overhead of recording.
    /// </summary>
    public static async Task MetricsOverheadAsync(string dataDir, int depth, int width, int steps, int batches, int warmupBatches)
    {
        var network = new NetworkOptions(depth, width, Seed: 1);
        var training = new TrainingOptions(InferenceSteps: steps, BatchLimit: batches, TestEvery: int.MaxValue);
        var data = new DataSource(dataDir, 0.5f, 0.5f, LimitTrain: 64 * batches, LimitTest: 64);
        var on = new TestClusterBuilder(1);
        on.AddSiloBuilderConfigurator<PcnSilo>();
        var off = new TestClusterBuilder(1);
        off.AddSiloBuilderConfigurator<PcnSiloWithoutMetrics>();
        TestCluster withMetrics = on.Build(), withoutMetrics = off.Build();
        await withMetrics.DeployAsync();
        await withoutMetrics.DeployAsync();
        try
        {
            Console.WriteLine($"Metrics overhead: µPC through the grains, H={depth} N={width} B=64 T={steps}, batches {warmupBatches + 1}..{batches} timed");
            // Rounds alternate which configuration goes first, so a slow spell does not always hit the same one.
            double bestOn = 0, bestOff = 0;
            var overheads = new List<double>();
            for (int round = 0; round <= 6; round++)
            {
                double rateOff, rateOn;
                if (round % 2 == 0)
                {
                    rateOff = (await ThroughGrainsAsync(withoutMetrics.GrainFactory, network, training, data, warmupBatches, round)).Rate;
                    rateOn = (await ThroughGrainsAsync(withMetrics.GrainFactory, network, training, data, warmupBatches, round)).Rate;
                }
                else
                {
                    rateOn = (await ThroughGrainsAsync(withMetrics.GrainFactory, network, training, data, warmupBatches, round)).Rate;
                    rateOff = (await ThroughGrainsAsync(withoutMetrics.GrainFactory, network, training, data, warmupBatches, round)).Rate;
                }

                Console.WriteLine($"  round {round}{(round == 0 ? " (warm-up)" : string.Empty)}: metrics off {rateOff,8:F1} samples/s   on {rateOn,8:F1} samples/s   overhead {100 * ((rateOff / rateOn) - 1),6:F2}%");
                if (round > 0)
                {
                    (bestOn, bestOff) = (Math.Max(bestOn, rateOn), Math.Max(bestOff, rateOff));
                    overheads.Add((rateOff / rateOn) - 1);
                }
            }

            overheads.Sort();
            double median = (overheads[(overheads.Count - 1) / 2] + overheads[overheads.Count / 2]) / 2;
            Console.WriteLine($"  rounds 1–6: median time overhead {100 * median:F2}%; best rounds off {bestOff:F1}, on {bestOn:F1} samples/s, {100 * ((bestOff / bestOn) - 1):F2}% (target ≤ 3%)");
        }
        finally
        {
            await withMetrics.StopAllSilosAsync();
            await withoutMetrics.StopAllSilosAsync();
            await withMetrics.DisposeAsync();
            await withoutMetrics.DisposeAsync();
        }
    }
}
