using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Pcn.Abstractions.Grains;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;
using Pcn.GpuKernels.Backends;
using Pcn.GpuKernels.Backends.Ilgpu;
using Pcn.GpuKernels.Data;
using Pcn.GpuKernels.Training;
using Pcn.Grains.Hosting;

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
        await TrainerComparison.AssertEqualAsync(fixture.Cluster.GrainFactory, IlgpuBackend.CreateCpu(), request, RunStatus.Completed, final, summaries);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(16)]
    public async Task SteadyStateBatch_AllocatesAndCopiesNothingBetweenLayers_AndWaitsOnce(int depth)
    {
        // Two runs that differ only in their number of batches: everything else (building the layers, the first
        // batches' kernel tables, the last commit, the evaluation and checkpoint at the end) is the same in both.
        DeviceCounters three = await CountRunAsync(Request($"device-count3-{depth}-{Guid.NewGuid():N}", depth, batches: 3, testEvery: 100));
        DeviceCounters five = await CountRunAsync(Request($"device-count5-{depth}-{Guid.NewGuid():N}", depth, batches: 5, testEvery: 100));
        DeviceCounters twoBatches = five - three;
        DeviceCounters trainerBatch = TrainerBatch(Request("trainer", depth, batches: 1, testEvery: 100));

        const int Batch = 16;
        long clampBytes = 2L * Batch * (784 + 10) * sizeof(float);
        Assert.Equal(0, twoBatches.Allocations);
        Assert.Equal(clampBytes, twoBatches.HostToDeviceBytes);
        Assert.InRange(twoBatches.HostWaits, 2, 4);
        long slotBytes = 2L * (depth + 2) * (depth + 8) * sizeof(double);
        Assert.InRange(twoBatches.DeviceToHostBytes, 1, slotBytes);

        // The grains queue what the trainer queues, plus ‖W‖ for the metrics: one launch more.
        Assert.InRange(twoBatches.Launches, 2 * trainerBatch.Launches, (2 * trainerBatch.Launches) + 2);
    }

    private static RunRequest Request(string id, int depth, int batches, int testEvery) => new(
        id,
        new NetworkOptions(Depth: depth, Width: 16, Seed: 4),
        new TrainingOptions(BatchSize: 16, InferenceSteps: 6, BatchLimit: batches, TestEvery: testEvery, ShuffleSeed: 3),
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

    private async Task<DeviceCounters> CountRunAsync(RunRequest request)
    {
        IPcBackend backend = fixture.Backend;
        DeviceCounters before = backend.Counters;
        (RunSnapshot final, _) = await RunDriver.RunToEndAsync(fixture.Cluster.GrainFactory, request, TimeSpan.FromMinutes(4));
        Assert.True(final.State == RunState.Completed, $"{final.State}: {final.Failure}");
        return backend.Counters - before;
    }
}

/// <summary>One silo whose layers compute on ILGPU's CPU accelerator.</summary>
public sealed class DeviceSiloCluster : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    /// <summary>The silo's device backend.</summary>
    public IPcBackend Backend => ((InProcessSiloHandle)Cluster.Primary!).SiloHost.Services.GetRequiredService<IPcBackend>();

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(1);
        builder.AddSiloBuilderConfigurator<Configurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    private sealed class Configurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddPcnGrainsOnOneMachine(TestStore.Directory, backend: "ilgpu-cpu");
    }
}
