using Pcn.Abstractions.Grains;
using Pcn.Abstractions.Messages;
using Pcn.Data;
using Pcn.GpuKernels.Backends;
using Pcn.Network.Training;

namespace Pcn.Grains.Tests;

/// <summary>A run through the grains against the single-process trainer on the same configuration and backend.</summary>
internal static class TrainerComparison
{
    /// <summary>
    /// The trainer, run on <paramref name="backend"/> (which it disposes), must have ended the same way after the same
    /// batches, with every summary, the failure message and every layer's weights equal to the grains', bit for bit.
    /// </summary>
    public static async Task AssertEqualAsync(IGrainFactory grains, IPcBackend backend, RunRequest request, RunState status, RunSnapshot final, List<BatchSummary> summaries)
    {
        using IPcBackend owned = backend;
        DataSource source = request.Data;
        Dataset data = Dataset.Load(source.Directory, new Normalisation(source.Mean, source.Std), source.LimitTrain, source.LimitTest);
        using var trainer = new Trainer(backend, request.Network, request.Training, data);
        (TrainingResult expected, List<BatchReport> reports) = Run(trainer);
        Assert.Equal(status, expected.State);
        Assert.Equal(expected.Failure, final.Failure);
        Assert.Equal(expected.Batches, final.Batches);
        AssertSummariesEqual(reports, summaries);
        await AssertWeightsEqualAsync(grains.GetGrain<ITrainingCoordinatorGrain>(request.RunId), trainer, request.Network.LayerCount);
    }

    /// <summary>Runs the trainer to its end, collecting its batch reports.</summary>
    public static (TrainingResult Result, List<BatchReport> Reports) Run(Trainer trainer)
    {
        var reports = new List<BatchReport>();
        TrainingResult result = trainer.Run(new Collect(reports));
        return (result, reports);
    }

    /// <summary>Every batch's train loss, layer energies, test accuracy and learning signal, bit for bit.</summary>
    public static void AssertSummariesEqual(IReadOnlyList<BatchReport> reports, IReadOnlyList<BatchSummary> summaries)
    {
        Assert.Equal(reports.Select(r => r.Batch), summaries.Select(s => s.Batch));
        for (int i = 0; i < reports.Count; i++)
        {
            Assert.Equal(reports[i].TrainLoss, summaries[i].TrainLoss);
            Assert.Equal(reports[i].LayerEnergies ?? [], summaries[i].LayerEnergies);
            Assert.Equal(reports[i].TestAccuracy, summaries[i].TestAccuracy);
            Assert.Equal(reports[i].Learning, summaries[i].Learning);
            Assert.Equal(reports[i].TestAccuracy is not null, summaries[i].Learning is not null);
        }
    }

    /// <summary>Every layer's weights in the grains equal the trainer's, bit for bit.</summary>
    public static async Task AssertWeightsEqualAsync(ITrainingCoordinatorGrain coordinator, Trainer trainer, int layers)
    {
        for (int l = 1; l <= layers; l++)
        {
            float[] local = new float[trainer.Network.Layer(l).Weights.Length];
            trainer.Network.Backend.Download(trainer.Network.Layer(l).Weights, local);
            TensorPayload remote = await coordinator.GetWeightsAsync(l);
            Assert.True(local.AsSpan().SequenceEqual(remote.Values), $"W_{l} differs from the trainer's");
        }
    }

    private sealed class Collect(List<BatchReport> reports) : IProgress<BatchReport>
    {
        public void Report(BatchReport value) => reports.Add(value);
    }
}
