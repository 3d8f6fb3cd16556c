using Pcn.Abstractions.Grains;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;
using Pcn.Data;
using Pcn.GpuKernels.Backends.Cpu;
using Pcn.Network.Training;

namespace Pcn.Grains.Tests;

/// <summary>
/// The main correctness test of the actor layer: a run through the layer grains — each layer taking its steps as its
/// neighbours' messages arrive — equals the single-process trainer for the same seed and configuration, bit for bit
/// on the CPU backend: every batch's train loss and per-layer energies, every test accuracy, and the final weights.
/// Standard PC, µPC and BP; shallow and deep (H = 16); T = H and T ≠ H; ReLU with MSE and tanh with cross-entropy;
/// all layers trained and only the top ones (--train-layers); on one silo and on three (where neighbour messages cross
/// silos as Orleans messages). Each evaluation's learning signal is compared too.
/// </summary>
public abstract class EquivalenceTests(ClusterFixture fixture)
{
    private static readonly DataSource Data = DataSource.FashionMnist() with { LimitTrain = 960, LimitTest = 256 };

    public static TheoryData<string> Methods => new() { "pc", "mupc", "bp", "pc-deep", "mupc-deep-t5", "bp-deep", "mupc-tanh-ce-t9", "bp-tanh-ce", "mupc-top3", "bp-top2" };

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task GrainRun_EqualsSingleProcessTrainer_BitForBit(string method)
    {
        (NetworkOptions network, TrainingOptions training) = Configuration(method);
        var request = new RunRequest($"eq-{method}-{GetType().Name}-{Guid.NewGuid():N}", network, training, Data);

        (RunSnapshot final, List<BatchSummary> summaries) = await RunDriver.RunToEndAsync(fixture.Cluster.GrainFactory, request, TimeSpan.FromMinutes(3));

        Assert.Equal(RunState.Completed, final.State);
        await AssertEqualsTrainerAsync(request, RunState.Completed, final, summaries);
    }

    [Fact]
    public async Task DivergingRun_NamesTheSameLayerAndStep_AsTheTrainer()
    {
        // Standard PC with a huge activity step: the energies blow up a few steps into the first batch.
        var request = new RunRequest(
            $"eq-diverge-{GetType().Name}-{Guid.NewGuid():N}",
            new NetworkOptions(Depth: 6, Width: 16, Parameterisation: Parameterisation.Sp, Seed: 3),
            new TrainingOptions(LearningRate: 0.01, InferenceRate: 3e4, InferenceSteps: 30, BatchSize: 32, BatchLimit: 5, TestEvery: 2, ShuffleSeed: 1),
            Data);

        (RunSnapshot final, List<BatchSummary> summaries) = await RunDriver.RunToEndAsync(fixture.Cluster.GrainFactory, request, TimeSpan.FromMinutes(2));

        Assert.Equal(RunState.Diverged, final.State);
        Assert.Matches("^batch [0-9]+: Diverged: the energy of layer [0-9]+ is .* \\(inference step [0-9]+\\)", final.Failure);
        await AssertEqualsTrainerAsync(request, RunState.Diverged, final, summaries);
    }

    [Fact]
    public async Task ConcurrentRuns_EqualTheSameRunsAlone()
    {
        string[] methods = ["mupc-deep-t5", "bp", "mupc-tanh-ce-t9"];
        RunRequest[] requests = methods.Select(m =>
        {
            (NetworkOptions network, TrainingOptions training) = Configuration(m);
            return new RunRequest($"eq-concurrent-{m}-{GetType().Name}-{Guid.NewGuid():N}", network, training, Data);
        }).ToArray();

        (RunSnapshot Final, List<BatchSummary> Summaries)[] results = await Task.WhenAll(requests.Select(r => RunDriver.RunToEndAsync(fixture.Cluster.GrainFactory, r, TimeSpan.FromMinutes(3))));

        for (int i = 0; i < requests.Length; i++)
        {
            Assert.Equal(RunState.Completed, results[i].Final.State);
            await AssertEqualsTrainerAsync(requests[i], RunState.Completed, results[i].Final, results[i].Summaries);
        }
    }

    [Fact]
    public async Task Layers_SpreadOverEverySilo_InContiguousBlocks()
    {
        (NetworkOptions network, TrainingOptions training) = Configuration("mupc");
        var request = new RunRequest($"placement-{GetType().Name}-{Guid.NewGuid():N}", network with { Depth = 8 }, training with { BatchLimit = 1 }, Data);
        (RunSnapshot final, _) = await RunDriver.RunToEndAsync(fixture.Cluster.GrainFactory, request, TimeSpan.FromMinutes(1));

        IReadOnlyList<string> silos = await fixture.Cluster.GrainFactory.GetGrain<ITrainingCoordinatorGrain>(request.RunId).GetPlacementAsync();

        int siloCount = fixture.Cluster.GetActiveSilos().Count();
        Assert.Equal(siloCount, silos.Distinct().Count());
        int changes = silos.Zip(silos.Skip(1)).Count(p => p.First != p.Second);
        Assert.Equal(siloCount - 1, changes);

        // Only the messages between the blocks cross silos: per batch one activity per step (T + 1 with the feedforward
        // pass) up and one feedback per step down at each boundary. All others go through a silo's exchange.
        int steps = training.StepsFor(network with { Depth = 8 });
        long boundaries = siloCount - 1, total = (2L * steps * 8) + 8;
        Assert.Equal(1, final.Protocol.Batches);
        Assert.Equal(boundaries * ((2 * steps) + 1), final.Protocol.RemoteMessages);
        Assert.Equal(total - final.Protocol.RemoteMessages, final.Protocol.LocalMessages);
    }

    private Task AssertEqualsTrainerAsync(RunRequest request, RunState status, RunSnapshot final, List<BatchSummary> summaries) =>
        TrainerComparison.AssertEqualAsync(fixture.Cluster.GrainFactory, new CpuBackend(), request, status, final, summaries);

    private static (NetworkOptions Network, TrainingOptions Training) Configuration(string method)
    {
        var training = new TrainingOptions(BatchSize: 32, TestEvery: 10, BatchLimit: 25, ShuffleSeed: 2);
        return method switch
        {
            "pc" => (new NetworkOptions(Depth: 3, Width: 24, Parameterisation: Parameterisation.Sp, Seed: 5), training with { LearningRate = 0.01, InferenceRate = 0.1 }),
            "mupc" => (new NetworkOptions(Depth: 4, Width: 24, Seed: 5), training),
            "bp" => (new NetworkOptions(Depth: 4, Width: 24, Parameterisation: Parameterisation.DepthMuP, Seed: 5), training with { Algorithm = Algorithm.Bp, LearningRate = 0.01 }),
            "pc-deep" => (new NetworkOptions(Depth: 16, Width: 16, Parameterisation: Parameterisation.Sp, Seed: 7), training with { LearningRate = 0.01, InferenceRate = 0.1, BatchLimit = 12, TestEvery = 6 }),
            "mupc-deep-t5" => (new NetworkOptions(Depth: 16, Width: 16, Seed: 7), training with { InferenceSteps = 5, BatchLimit = 12, TestEvery = 6 }),
            "bp-deep" => (new NetworkOptions(Depth: 16, Width: 16, Parameterisation: Parameterisation.DepthMuP, Seed: 7), training with { Algorithm = Algorithm.Bp, LearningRate = 0.01, BatchLimit = 12, TestEvery = 6 }),
            "mupc-tanh-ce-t9" => (new NetworkOptions(Depth: 6, Width: 20, Activation: Activation.Tanh, Loss: LossKind.CrossEntropy, Seed: 9), training with { InferenceRate = 1, InferenceSteps = 9 }),
            "bp-tanh-ce" => (new NetworkOptions(Depth: 6, Width: 20, Activation: Activation.Tanh, Parameterisation: Parameterisation.DepthMuP, Loss: LossKind.CrossEntropy, Seed: 9), training with { Algorithm = Algorithm.Bp, LearningRate = 0.01 }),
            "mupc-top3" => (new NetworkOptions(Depth: 6, Width: 16, Seed: 5), training with { TrainTopLayers = 3 }),
            "bp-top2" => (new NetworkOptions(Depth: 6, Width: 16, Parameterisation: Parameterisation.DepthMuP, Seed: 5), training with { Algorithm = Algorithm.Bp, LearningRate = 0.01, TrainTopLayers = 2, EarlyStopAccuracy = 0 }),
            _ => throw new ArgumentOutOfRangeException(nameof(method)),
        };
    }

}

public sealed class EquivalenceOnOneSilo(OneSiloCluster fixture) : EquivalenceTests(fixture), IClassFixture<OneSiloCluster>;

public sealed class EquivalenceOnThreeSilos(ThreeSiloCluster fixture) : EquivalenceTests(fixture), IClassFixture<ThreeSiloCluster>;
