using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;
using Pcn.Data;
using Pcn.GpuKernels.Backends.Cpu;
using Pcn.Network.Training;

namespace Pcn.Network.Tests.Training;

/// <summary>The single-process trainer on a Fashion-MNIST subset with the CPU backend.</summary>
public sealed class TrainerTests
{
    private static readonly Lazy<Dataset> Subset = new(() => Dataset.Load(Dataset.DefaultFashionMnistDirectory, Normalisation.FashionMnist, limitTrain: 19_200, limitTest: 2_048));

    [Fact]
    public void MuPc_LearnsFashionMnist_WellAboveChance_AndEnergyFalls()
    {
        var network = new NetworkOptions(Depth: 4, Width: 64, Seed: 3);
        var training = new TrainingOptions(LearningRate: 0.05, InferenceRate: 0.5, TestEvery: 100, ShuffleSeed: 5);
        using var trainer = new Trainer(new CpuBackend(), network, training, Subset.Value);
        var reports = new List<BatchReport>();

        TrainingResult result = trainer.Run(new SyncProgress(reports.Add));

        Assert.Equal(RunState.Completed, result.State);
        Assert.Equal(300, result.Batches);
        Assert.Equal(300, reports.Count);
        Assert.All(reports, r => Assert.Equal(network.LayerCount, r.LayerEnergies!.Length));
        Assert.Equal([100, 200, 300], result.Accuracy.Select(a => a.Batch));
        Assert.True(result.FinalAccuracy > 65, $"test accuracy {result.FinalAccuracy:F1}% after 300 batches (chance is 10%)");
        double early = reports.Take(20).Average(r => r.TotalEnergy), late = reports.TakeLast(20).Average(r => r.TotalEnergy);
        Assert.True(late < 0.7 * early, $"mean energy of the first 20 batches {early:F4}, of the last 20 {late:F4}");
    }

    [Fact]
    public void BackpropDepthMuP_LearnsFashionMnist_WellAboveChance()
    {
        var network = new NetworkOptions(Depth: 4, Width: 64, Parameterisation: Parameterisation.DepthMuP, Seed: 3);
        var training = new TrainingOptions(Algorithm.Bp, LearningRate: 0.01, TestEvery: 300, BatchLimit: 200, ShuffleSeed: 5);
        using var trainer = new Trainer(new CpuBackend(), network, training, Subset.Value);

        TrainingResult result = trainer.Run();

        Assert.Equal(RunState.Completed, result.State);
        Assert.True(result.FinalAccuracy > 65, $"BP test accuracy {result.FinalAccuracy:F1}%");
    }

    [Fact]
    public void Run_StopsAsDiverged_NamingLayerAndStep_WhenInferenceBlowsUp()
    {
        var network = new NetworkOptions(Depth: 3, Width: 32, Parameterisation: Parameterisation.Sp, Seed: 1);
        var training = new TrainingOptions(LearningRate: 0.01, InferenceRate: 1e6, InferenceSteps: 40, BatchLimit: 5);
        using var trainer = new Trainer(new CpuBackend(), network, training, Subset.Value);

        TrainingResult result = trainer.Run();

        Assert.Equal(RunState.Diverged, result.State);
        Assert.Equal(0, result.Batches);
        Assert.Matches("batch 1: Diverged: the energy of layer [1-4] is .* \\(inference step [0-9]+\\)", result.Failure);
    }

    [Fact]
    public void Run_StopsEarlyAsFailed_WhenTestAccuracyIsBelowTheThreshold()
    {
        var network = new NetworkOptions(Depth: 2, Width: 16, Seed: 1);
        var training = new TrainingOptions(TestEvery: 2, BatchLimit: 10, EarlyStopAccuracy: 100);
        using var trainer = new Trainer(new CpuBackend(), network, training, Subset.Value);

        TrainingResult result = trainer.Run();

        Assert.Equal(RunState.Failed, result.State);
        Assert.Equal(2, result.Batches);
        Assert.Matches("^batch 2: test accuracy [0-9.]+% is below 100% \\(no learning; early stop\\)$", result.Failure);
    }

    [Fact]
    public void Run_StopsAsCancelled_KeepingBatchesTrained()
    {
        var network = new NetworkOptions(Depth: 2, Width: 16, Seed: 1);
        using var trainer = new Trainer(new CpuBackend(), network, new TrainingOptions(BatchLimit: 50), Subset.Value);
        using var cancel = new CancellationTokenSource();

        TrainingResult result = trainer.Run(new SyncProgress(r => { if (r.Batch == 7) { cancel.Cancel(); } }), cancel.Token);

        Assert.Equal(RunState.Cancelled, result.State);
        Assert.Equal(7, result.Batches);
    }

    [Fact]
    public void Trainer_RefusesMismatchedData_BeforeTraining()
    {
        var wrongInput = new NetworkOptions(Depth: 2, Width: 8, InputDim: 100);
        var error = Assert.Throws<InvalidOptionException>(() => new Trainer(new CpuBackend(), wrongInput, new TrainingOptions(), Subset.Value));
        Assert.Contains("--input-dim", error.Message);
        Assert.Contains("784", error.Message);
    }

    /// <summary>Reports on the training thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SyncProgress(Action<BatchReport> report) : IProgress<BatchReport>
    {
        public void Report(BatchReport value) => report(value);
    }
}
