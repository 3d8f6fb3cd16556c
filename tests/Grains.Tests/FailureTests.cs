using Pcn.Abstractions.Grains;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;

namespace Pcn.Grains.Tests;

/// <summary>A run that diverges stops as diverged, naming layer and step, and the silo goes on serving other runs.</summary>
public sealed class FailureTests(OneSiloCluster fixture) : IClassFixture<OneSiloCluster>
{
    private static readonly DataSource Data = DataSource.FashionMnist() with { LimitTrain = 640, LimitTest = 128 };

    [Fact]
    public async Task DivergingRun_StopsAsDiverged_AndTheSiloKeepsServing()
    {
        var diverging = new RunRequest(
            $"diverge-{Guid.NewGuid():N}",
            new NetworkOptions(Depth: 3, Width: 16, Parameterisation: Parameterisation.Sp, Seed: 1),
            new TrainingOptions(LearningRate: 0.01, InferenceRate: 1e6, InferenceSteps: 40, BatchLimit: 5),
            Data);

        (RunSnapshot failed, _) = await RunDriver.RunToEndAsync(fixture.Cluster.GrainFactory, diverging, TimeSpan.FromMinutes(1));

        Assert.Equal(RunState.Diverged, failed.State);
        Assert.Equal(0, failed.Batches);
        Assert.Matches("^batch 1: Diverged: the energy of layer [1-4] is .* \\(inference step [0-9]+\\)", failed.Failure);

        var healthy = new RunRequest($"after-{Guid.NewGuid():N}", new NetworkOptions(Depth: 2, Width: 16, Seed: 1), new TrainingOptions(BatchLimit: 5, TestEvery: 5), Data);
        (RunSnapshot done, List<BatchSummary> summaries) = await RunDriver.RunToEndAsync(fixture.Cluster.GrainFactory, healthy, TimeSpan.FromMinutes(1));
        Assert.Equal(RunState.Completed, done.State);
        Assert.Equal(5, summaries.Count);
    }

    [Fact]
    public async Task MessageForAnotherBatch_FailsTheRunLoudly_NamingLayerAndBatch()
    {
        var request = new RunRequest($"wrong-{Guid.NewGuid():N}", new NetworkOptions(Depth: 3, Width: 16, Seed: 1), new TrainingOptions(BatchSize: 16, Epochs: 5, TestEvery: 1000), Data);
        ITrainingCoordinatorGrain coordinator = fixture.Cluster.GrainFactory.GetGrain<ITrainingCoordinatorGrain>(request.RunId);

        // A message no correct run sends: batch 999 (the run trains batches 1..200), in layer 2's inbox before the run
        // starts (the round trip after the one-way message makes sure it has been taken).
        ILayerGrain layer = fixture.Cluster.GrainFactory.GetGrain<ILayerGrain>(LayerKeys.For(request.RunId, 2, 4));
        await layer.DeliverActivityAsync(new ActivityMessage(999, 0, new TensorPayload(16, 16, new float[16 * 16])));
        await layer.GetSiloAsync();
        RunSnapshot started = await coordinator.StartAsync(request);
        (RunSnapshot final, _) = await RunDriver.WaitToEndAsync(coordinator, started, TimeSpan.FromMinutes(1));

        Assert.Equal(RunState.Failed, final.State);
        Assert.Contains("layer 2 of run " + request.RunId, final.Failure);
        Assert.Contains("batch 999 step 0", final.Failure);
        Assert.True(final.Batches < 200, $"the run trained all {final.Batches} batches");
    }

    [Fact]
    public async Task LowAccuracy_StopsTheRunAsFailed_LikeTheReference()
    {
        var request = new RunRequest($"nolearn-{Guid.NewGuid():N}", new NetworkOptions(Depth: 2, Width: 8, Seed: 1), new TrainingOptions(BatchLimit: 10, TestEvery: 3, EarlyStopAccuracy: 100), Data);

        (RunSnapshot final, List<BatchSummary> summaries) = await RunDriver.RunToEndAsync(fixture.Cluster.GrainFactory, request, TimeSpan.FromMinutes(1));

        Assert.Equal(RunState.Failed, final.State);
        Assert.Equal(3, summaries.Count);
        Assert.Contains("below 100% (no learning; early stop)", final.Failure);
    }

    [Fact]
    public async Task StartingARunTwice_IsRefused()
    {
        var request = new RunRequest($"twice-{Guid.NewGuid():N}", new NetworkOptions(Depth: 2, Width: 8, Seed: 1), new TrainingOptions(BatchLimit: 2), Data);
        await RunDriver.RunToEndAsync(fixture.Cluster.GrainFactory, request, TimeSpan.FromMinutes(1));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => fixture.Cluster.GrainFactory.GetGrain<ITrainingCoordinatorGrain>(request.RunId).StartAsync(request));
        Assert.Contains("already exists", error.Message);
    }

    [Fact]
    public async Task BadRequest_IsRefusedBeforeTraining_NamingTheProblem()
    {
        var request = new RunRequest($"bad-{Guid.NewGuid():N}", new NetworkOptions(Depth: 2, Width: 8, InputDim: 100), new TrainingOptions(), Data);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => fixture.Cluster.GrainFactory.GetGrain<ITrainingCoordinatorGrain>(request.RunId).StartAsync(request));

        Assert.Contains("--input-dim", error.Message);
        Assert.Contains("784 features", error.Message);
    }
}
