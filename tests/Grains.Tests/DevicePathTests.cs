using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Pcn.Abstractions.Grains;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;
using Pcn.Data;
using Pcn.GpuKernels.Backends;
using Pcn.GpuKernels.Backends.Ilgpu;
using Pcn.Grains.Exchange;
using Pcn.Grains.Hosting;
using Pcn.Network.Training;

namespace Pcn.Grains.Tests;

/// <summary>
/// The device path through the grains, on ILGPU's CPU accelerator set up like a CUDA device: a run equals the
/// single-process trainer on the same backend bit for bit, and per batch in steady state the silo's device makes no
/// allocation, copies nothing between its layers (only the clamped x and y go to the device), waits at most twice, and
/// launches what the trainer launches.
/// </summary>
public sealed class DevicePathTests(DeviceSiloCluster fixture) : IClassFixture<DeviceSiloCluster>
{
    private static readonly DataSource Data = DataSource.FashionMnist() with { LimitTrain = 512, LimitTest = 64 };

    [Theory]
    [InlineData(4)]
    [InlineData(16)]
    public async Task GrainRun_EqualsTrainerOnTheSameDeviceBackend_BitForBit(int depth)
    {
        RunRequest request = Request($"device-eq-{depth}-{Guid.NewGuid():N}", depth, batches: 4, testEvery: 2);

        (RunSnapshot final, List<BatchSummary> summaries) = await RunDriver.RunToEndAsync(fixture.Cluster.GrainFactory, request, TimeSpan.FromMinutes(4));

        Assert.True(final.State == RunState.Completed, $"{final.State}: {final.Failure}");
        await TrainerComparison.AssertEqualAsync(fixture.Cluster.GrainFactory, IlgpuBackend.CreateCpu(), request, RunState.Completed, final, summaries);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(16)]
    public async Task SteadyStateBatch_AllocatesAndCopiesNothingBetweenLayers_AndWaitsOnce(int depth)
    {
        RunRequest request = Request($"device-count-{depth}-{Guid.NewGuid():N}", depth, batches: 5, testEvery: 100);
        (RunSnapshot final, _) = await RunDriver.RunToEndAsync(fixture.Cluster.GrainFactory, request, TimeSpan.FromMinutes(4));
        Assert.True(final.State == RunState.Completed, $"{final.State}: {final.Failure}");

        // Between the silo's reads of batches 4 and 5: the update of batch 4, the clamp of batch 5, its inference and
        // the read (batches 1–3 meet new buffers and kernel tables: two buffer parities, no update before the first).
        (int Pass, DeviceCounters Counts)[] reads = fixture.Reads.LastReads(request.RunId) ?? throw new InvalidOperationException("The silo read no batch twice.");
        Assert.Equal([4, 5], reads.Select(r => r.Pass));
        DeviceCounters batch = reads[1].Counts - reads[0].Counts;
        DeviceCounters trainerBatch = TrainerBatch(request);

        const int Batch = 16;
        Assert.Equal(0, batch.Allocations);
        Assert.Equal((long)Batch * (784 + 10) * sizeof(float), batch.HostToDeviceBytes);
        Assert.Equal(1, batch.HostWaits);
        Assert.InRange(batch.DeviceToHostBytes, 1, (depth + 2L) * (6 + 4) * sizeof(double));

        // The grains queue what the trainer queues, and ‖W‖ for the metrics: one launch more.
        Assert.Equal(trainerBatch.Launches + 1, batch.Launches);
    }

    private static RunRequest Request(string id, int depth, int batches, int testEvery) => new(
        id,
        new NetworkOptions(Depth: depth, Width: 16, Seed: 4),
        new TrainingOptions(BatchSize: 16, InferenceSteps: 6, BatchLimit: batches, TestEvery: testEvery, ShuffleSeed: 3, EarlyStopAccuracy: 0),
        Data);

    /// <summary>The steady-state batch of the single-process trainer on the device backend.</summary>
    private static DeviceCounters TrainerBatch(RunRequest request)
    {
        using IlgpuBackend backend = IlgpuBackend.CreateCpu();
        using var network = new PcNetwork(backend, request.Network);
        float[] x = new float[16 * 784], y = new float[16 * 10];
        double[] energies = new double[request.Network.LayerCount];
        DeviceCounters before = default;
        for (int batch = 0; batch < 4; batch++)
        {
            // Batches alternate which of two buffers a layer sends: both parities are seen before the one counted.
            if (batch == 3)
            {
                before = backend.Counters;
            }

            network.Clamp(x, y, 16);
            network.TrainPc(6, request.Training.InferenceRate, request.Training, [], energies);
        }

        return backend.Counters - before;
    }
}

/// <summary>One silo whose layers compute on ILGPU's CPU accelerator.</summary>
public sealed class DeviceSiloCluster() : ClusterFixture(1)
{
    /// <summary>The silo's one-wait reader of device sums, which keeps the device counts at its reads.</summary>
    internal SumsReader Reads => ((InProcessSiloHandle)Cluster.Primary!).SiloHost.Services.GetRequiredService<SumsReader>();

    protected override void Configure(TestClusterBuilder builder) => builder.AddSiloBuilderConfigurator<Configurator>();

    private sealed class Configurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddPcnGrainsOnOneMachine(TestStore.Directory, backend: "ilgpu-cpu");
    }
}
