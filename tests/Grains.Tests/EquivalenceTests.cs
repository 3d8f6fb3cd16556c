using Pcn.Abstractions.Grains;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;
using Pcn.GpuKernels.Backends.Cpu;
using Pcn.GpuKernels.Data;
using Pcn.GpuKernels.Training;

namespace Pcn.Grains.Tests;

/// <summary>
/// The main correctness test of the actor layer: a run through the layer grains equals the single-process trainer
/// for the same seed and configuration, bit for bit on the CPU backend: every batch's train loss and per-layer
/// energies, every test accuracy, and the final weights, for PC, µPC and BP.
/// </summary>
public abstract class EquivalenceTests(ClusterFixture fixture)
{
    private static readonly DataSource Data = DataSource.FashionMnist() with { LimitTrain = 960, LimitTest = 256 };

    public static TheoryData<string> Methods => new() { "pc", "mupc", "bp" };

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task GrainRun_EqualsSingleProcessTrainer_BitForBit(string method)
    {
        (NetworkOptions network, TrainingOptions training) = Configuration(method);
        var request = new RunRequest($"eq-{method}-{GetType().Name}-{Guid.NewGuid():N}", network, training, Data);

        (RunSnapshot final, List<BatchSummary> summaries) = await RunDriver.RunToEndAsync(fixture.Cluster.GrainFactory, request, TimeSpan.FromMinutes(3));

        Assert.Equal(RunState.Completed, final.State);
        Dataset data = Dataset.Load(Data.Directory, new Normalisation(Data.Mean, Data.Std), Data.LimitTrain, Data.LimitTest);
        using var trainer = new Trainer(new CpuBackend(), network, training, data);
        var reports = new List<BatchReport>();
        TrainingResult expected = trainer.Run(new Collect(reports));
        Assert.Equal(RunStatus.Completed, expected.Status);
        Assert.Equal(reports.Count, summaries.Count);
        for (int i = 0; i < reports.Count; i++)
        {
            Assert.Equal(reports[i].Batch, summaries[i].Batch);
            Assert.Equal(reports[i].TrainLoss, summaries[i].TrainLoss);
            Assert.Equal(reports[i].LayerEnergies ?? [], summaries[i].LayerEnergies);
            Assert.Equal(reports[i].TestAccuracy, summaries[i].TestAccuracy);
        }

        ITrainingCoordinatorGrain coordinator = fixture.Cluster.GrainFactory.GetGrain<ITrainingCoordinatorGrain>(request.RunId);
        for (int l = 1; l <= network.LayerCount; l++)
        {
            float[] local = new float[trainer.Network.Layer(l).Weights.Length];
            trainer.Network.Backend.Download(trainer.Network.Layer(l).Weights, local);
            TensorPayload remote = await coordinator.GetWeightsAsync(l);
            Assert.Equal(local, remote.Values.ToArray());
        }
    }

    [Fact]
    public async Task Layers_SpreadOverEverySilo_InContiguousBlocks()
    {
        (NetworkOptions network, TrainingOptions training) = Configuration("mupc");
        var request = new RunRequest($"placement-{GetType().Name}-{Guid.NewGuid():N}", network with { Depth = 8 }, training with { BatchLimit = 1 }, Data);
        await RunDriver.RunToEndAsync(fixture.Cluster.GrainFactory, request, TimeSpan.FromMinutes(1));

        IReadOnlyList<string> silos = await fixture.Cluster.GrainFactory.GetGrain<ITrainingCoordinatorGrain>(request.RunId).GetPlacementAsync();

        int siloCount = fixture.Cluster.GetActiveSilos().Count();
        Assert.Equal(siloCount, silos.Distinct().Count());
        int changes = silos.Zip(silos.Skip(1)).Count(p => p.First != p.Second);
        Assert.Equal(siloCount - 1, changes);
    }

    private static (NetworkOptions Network, TrainingOptions Training) Configuration(string method) => method switch
    {
        "pc" => (new NetworkOptions(Depth: 3, Width: 24, Parameterisation: Parameterisation.Sp, Seed: 5), new TrainingOptions(LearningRate: 0.01, InferenceRate: 0.1, BatchSize: 32, TestEvery: 10, BatchLimit: 25, ShuffleSeed: 2)),
        "mupc" => (new NetworkOptions(Depth: 4, Width: 24, Seed: 5), new TrainingOptions(BatchSize: 32, TestEvery: 10, BatchLimit: 25, ShuffleSeed: 2)),
        "bp" => (new NetworkOptions(Depth: 4, Width: 24, Parameterisation: Parameterisation.DepthMuP, Seed: 5), new TrainingOptions(Algorithm.Bp, LearningRate: 0.01, BatchSize: 32, TestEvery: 10, BatchLimit: 25, ShuffleSeed: 2)),
        _ => throw new ArgumentOutOfRangeException(nameof(method)),
    };

    private sealed class Collect(List<BatchReport> reports) : IProgress<BatchReport>
    {
        public void Report(BatchReport value) => reports.Add(value);
    }
}

public sealed class EquivalenceOnOneSilo(OneSiloCluster fixture) : EquivalenceTests(fixture), IClassFixture<OneSiloCluster>;

public sealed class EquivalenceOnThreeSilos(ThreeSiloCluster fixture) : EquivalenceTests(fixture), IClassFixture<ThreeSiloCluster>;
