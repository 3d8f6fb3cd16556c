using Pcn.Abstractions.Grains;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;
using Pcn.Data;
using Pcn.GpuKernels.Backends.Cpu;
using Pcn.Network.Checkpoints;
using Pcn.Network.Structure;
using Pcn.Network.Training;

namespace Pcn.Grains.Tests;

/// <summary>
/// Runs that stop and go on: a cancelled run resumed from its checkpoint, and a run started from exported weights,
/// each against the single-process trainer run in one go (the oracle: grains and trainer compute the same bits).
/// </summary>
public sealed class CheckpointResumeTests(OneSiloCluster fixture) : IClassFixture<OneSiloCluster>
{
    private static readonly DataSource Data = DataSource.FashionMnist() with { LimitTrain = 1280, LimitTest = 128 };

    [Fact]
    public async Task ACancelledRun_ResumedFromItsCheckpoint_EqualsTheTrainerRunInOneGo()
    {
        var request = new RunRequest(
            $"resume-{Guid.NewGuid():N}",
            new NetworkOptions(Depth: 4, Width: 24, Seed: 11),
            new TrainingOptions(BatchSize: 32, Epochs: 20, TestEvery: 70, CheckpointEvery: 5, ShuffleSeed: 3, EarlyStopAccuracy: 0),
            Data);
        ITrainingCoordinatorGrain coordinator = fixture.Cluster.GrainFactory.GetGrain<ITrainingCoordinatorGrain>(request.RunId);
        RunSnapshot snapshot = await coordinator.StartAsync(request);
        while (snapshot.Batches < 12 && !snapshot.IsFinished)
        {
            await Task.Delay(5);
            snapshot = await coordinator.GetSnapshotAsync(int.MaxValue);
        }

        await coordinator.CancelAsync();
        (RunSnapshot cancelled, _) = await RunDriver.WaitToEndAsync(coordinator, snapshot, TimeSpan.FromMinutes(1));
        Assert.Equal(RunState.Cancelled, cancelled.State);
        Assert.True(cancelled.Batches < 800, "the run finished before it could be cancelled");
        Assert.Equal(cancelled.Batches, cancelled.CheckpointBatch);

        RunSnapshot resumed = await coordinator.ResumeAsync();
        (RunSnapshot final, _) = await RunDriver.WaitToEndAsync(coordinator, resumed, TimeSpan.FromMinutes(1));
        Assert.Equal(RunState.Completed, final.State);
        Assert.Contains(final.Events, e => e.Kind == "resume");

        using Trainer trainer = TrainerFor(request);
        await AssertEqualsTrainerAsync(coordinator, trainer, request);
    }

    [Fact]
    public async Task ARunStartedFromExportedWeights_EqualsTheTrainerStartedFromTheSameWeights()
    {
        var network = new NetworkOptions(Depth: 3, Width: 20, Seed: 4);
        var shape = new NetworkShape(network);
        var random = new Random(9);
        float[][] weights = [.. Enumerable.Range(1, shape.LayerCount).Select(l => Enumerable.Range(0, shape[l].OutputDim * shape[l].InputDim).Select(_ => (float)((random.NextDouble() - 0.5) * 0.2)).ToArray())];
        string file = Path.Combine(TestStore.Directory, $"init-{Guid.NewGuid():N}.npz");
        using (FileStream stream = File.Create(file))
        {
            NpzArchive.Write(stream, Enumerable.Range(1, shape.LayerCount).Select(l => new KeyValuePair<string, NpyArray>(LayerCheckpoint.Name(l, "weight"), NpyArray.Of(weights[l - 1], shape[l].OutputDim, shape[l].InputDim))));
        }

        var request = new RunRequest($"init-{Guid.NewGuid():N}", network, new TrainingOptions(BatchSize: 32, TestEvery: 5, BatchLimit: 10, EarlyStopAccuracy: 0), Data, file);
        (RunSnapshot final, _) = await RunDriver.RunToEndAsync(fixture.Cluster.GrainFactory, request, TimeSpan.FromMinutes(1));
        Assert.Equal(RunState.Completed, final.State);

        using Trainer trainer = TrainerFor(request, t =>
        {
            for (int l = 1; l <= shape.LayerCount; l++)
            {
                t.Network.Layer(l).SetWeights(Array.ConvertAll(weights[l - 1], w => (double)w));
            }
        });
        await AssertEqualsTrainerAsync(fixture.Cluster.GrainFactory.GetGrain<ITrainingCoordinatorGrain>(request.RunId), trainer, request);
    }

    [Fact]
    public async Task ADroppedRun_IsGoneFromStorageTheRegistryAndItsCheckpoints()
    {
        var request = new RunRequest($"drop-{Guid.NewGuid():N}", new NetworkOptions(Depth: 2, Width: 8, Seed: 1), new TrainingOptions(BatchLimit: 4, CheckpointEvery: 2, EarlyStopAccuracy: 0), Data);
        await RunDriver.RunToEndAsync(fixture.Cluster.GrainFactory, request, TimeSpan.FromMinutes(1));
        Assert.NotNull(CheckpointStore.Latest(TestStore.Directory, request.RunId));
        Assert.Contains(request.RunId, await fixture.Cluster.GrainFactory.GetGrain<IRunRegistryGrain>(0).ListAsync());

        ITrainingCoordinatorGrain coordinator = fixture.Cluster.GrainFactory.GetGrain<ITrainingCoordinatorGrain>(request.RunId);
        await coordinator.DropAsync(keepCheckpoints: false);

        Assert.DoesNotContain(request.RunId, await fixture.Cluster.GrainFactory.GetGrain<IRunRegistryGrain>(0).ListAsync());
        Assert.Null(CheckpointStore.Latest(TestStore.Directory, request.RunId));
        InvalidOperationException gone = await Assert.ThrowsAsync<InvalidOperationException>(() => coordinator.GetSnapshotAsync(0));
        Assert.Contains("There is no run", gone.Message, StringComparison.Ordinal);
    }

    private static Trainer TrainerFor(RunRequest request, Action<Trainer>? prepare = null)
    {
        Dataset data = Dataset.Load(Data.Directory, new Normalisation(Data.Mean, Data.Std), Data.LimitTrain, Data.LimitTest);
        var trainer = new Trainer(new CpuBackend(), request.Network, request.Training, data);
        prepare?.Invoke(trainer);
        return trainer;
    }

    /// <summary>The trainer runs in one go; the grains' history (loss, energies, accuracy per batch) and final weights must equal it.</summary>
    private static async Task AssertEqualsTrainerAsync(ITrainingCoordinatorGrain coordinator, Trainer trainer, RunRequest request)
    {
        List<BatchReport> reports = TrainerComparison.Run(trainer).Reports;
        TrainerComparison.AssertSummariesEqual(reports, (await coordinator.GetSnapshotAsync(0)).Summaries);
        await TrainerComparison.AssertWeightsEqualAsync(coordinator, trainer, request.Network.LayerCount);
    }
}
