using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;
using Pcn.GpuKernels.Backends;
using Pcn.GpuKernels.Backends.Ilgpu;
using Pcn.Network.Diagnostics;
using Pcn.Network.Structure;
using Pcn.Network.Training;
using Pcn.Tests.Shared;

namespace Pcn.Network.Tests.Training;

/// <summary>
/// Each layer's learning signal (relative weight change from initialisation, batches with a non-zero update), frozen
/// layers (--train-layers top:K), and the prediction of how far down the error signal reaches. The oracle for the
/// reach is structural: at feedforward initialisation every hidden error is exactly 0, and each inference step carries
/// the error one layer further down, so after T steps weight layers ℓ &lt; L − T have an error of exactly 0 in any
/// precision and can get no update at all.
/// </summary>
public sealed class LearningSignalTests
{
    private const int Rows = 4;

    private static readonly NetworkOptions Deep = new(Depth: 6, Width: 8, InputDim: 5, OutputDim: 3, Seed: 11);

    // T = 2 on L = 7 weight layers: the error reaches z_6 and z_5, so weight layers 5, 6 and 7 update, 1–4 cannot.
    private static readonly TrainingOptions TwoSteps = new(LearningRate: 0.05, InferenceRate: 1, InferenceSteps: 2, BatchSize: Rows);

    [Theory]
    [MemberData(nameof(BackendFactory.AllBackends), MemberType = typeof(BackendFactory))]
    public void LearningSignal_EqualsTheChangeComputedFromTheWeights_AndTheUpdatesReadAfterEachBatch(string backendName)
    {
        using IPcBackend backend = BackendFactory.Create(backendName);
        using var network = new PcNetwork(backend, Deep);
        int[] counted = new int[Deep.LayerCount];
        for (int batch = 0; batch < 3; batch++)
        {
            Train(network, TwoSteps, batch);

            // A host backend has Σ(ΔW)² as soon as the update ran: count the non-zero ones by hand.
            for (int l = 1; l <= Deep.LayerCount; l++)
            {
                counted[l - 1] += network.Layer(l).UpdateNorm > 0 ? 1 : 0;
            }
        }

        LayerLearning[] learning = network.MeasureLearning();

        for (int l = 1; l <= Deep.LayerCount; l++)
        {
            double[] initial = WeightInitialiser.Initial(Deep, new NetworkShape(Deep)[l]);
            float[] now = Download(network, l);
            double moved = 0, norm = 0;
            for (int i = 0; i < now.Length; i++)
            {
                double w0 = (float)initial[i];
                moved += (now[i] - w0) * (now[i] - w0);
                norm += w0 * w0;
            }

            Assert.Equal(Math.Sqrt(moved / norm), learning[l - 1].RelativeChange, 15);
            Assert.Equal(counted[l - 1], learning[l - 1].UpdatedBatches);
        }

        // The structural oracle: layers below L − T never move, those from L − T up move in every batch.
        Assert.All(learning.Take(4), l => Assert.Equal(new LayerLearning(0, 0), l));
        Assert.All(learning.Skip(4), l => Assert.True(l.RelativeChange > 0 && l.UpdatedBatches == 3, $"{l}"));
    }

    [Fact]
    public void OnADeviceBackend_TheCountWithOneReadPerBatch_EqualsTheCountWithAReadAfterEveryUpdate()
    {
        using IlgpuBackend lazy = IlgpuBackend.CreateCpu(), eager = IlgpuBackend.CreateCpu();
        using var quiet = new PcNetwork(lazy, Deep);
        using var watched = new PcNetwork(eager, Deep);
        int[] counted = new int[Deep.LayerCount];
        for (int batch = 0; batch < 3; batch++)
        {
            Train(quiet, TwoSteps, batch);
            Train(watched, TwoSteps, batch);
            for (int l = 1; l <= Deep.LayerCount; l++)
            {
                watched.Layer(l).ReadSums();
                counted[l - 1] += watched.Layer(l).UpdateNorm > 0 ? 1 : 0;
            }
        }

        LayerLearning[] once = quiet.MeasureLearning(), everyBatch = watched.MeasureLearning();

        Assert.Equal(counted, once.Select(l => l.UpdatedBatches));
        Assert.Equal(everyBatch, once);
        Assert.Equal([0, 0, 0, 0, 3, 3, 3], counted);
    }

    [Theory]
    [InlineData(Algorithm.Pc)]
    [InlineData(Algorithm.Bp)]
    public void FrozenLayers_KeepTheirInitialWeightsBitForBit_AndTheTopLayersFirstUpdateIsTheUnfrozenOne(Algorithm algorithm)
    {
        NetworkOptions options = Deep with { Parameterisation = algorithm == Algorithm.Bp ? Parameterisation.DepthMuP : Parameterisation.MuPc };
        TrainingOptions all = TwoSteps with { Algorithm = algorithm, InferenceSteps = null }, top2 = all with { TrainTopLayers = 2 };
        using var backend = BackendFactory.Create("cpu");
        using var frozen = new PcNetwork(backend, options);
        using var free = new PcNetwork(backend, options);

        Train(frozen, top2, batch: 0);
        Train(free, all, batch: 0);

        var shape = new NetworkShape(options);
        for (int l = 1; l <= 5; l++)
        {
            float[] initial = [.. WeightInitialiser.Initial(options, shape[l]).Select(v => (float)v)];
            Assert.Equal(initial, Download(frozen, l));
        }

        Assert.Equal(Download(free, 7), Download(frozen, 7));
        Assert.Equal(Download(free, 6), Download(frozen, 6));
        Assert.NotEqual(Download(free, 5), Download(frozen, 5));

        Train(frozen, top2, batch: 1);
        LayerLearning[] learning = frozen.MeasureLearning();
        Assert.All(learning.Take(5), l => Assert.Equal(new LayerLearning(0, 0), l));
        Assert.All(learning.Skip(5), l => Assert.True(l.RelativeChange > 0 && l.UpdatedBatches == 2, $"{l}"));
    }

    [Fact]
    public void TrainLayers_BeyondTheNetwork_IsRefusedNamingTheLayerCount()
    {
        var error = Assert.Throws<InvalidOptionException>(() => (TwoSteps with { TrainTopLayers = 0 }).Validate());
        Assert.Contains("--train-layers", error.Message, StringComparison.Ordinal);
        Assert.True(TwoSteps.Trains(1, 7));
        Assert.False((TwoSteps with { TrainTopLayers = 2 }).Trains(5, 7));
        Assert.True((TwoSteps with { TrainTopLayers = 2 }).Trains(6, 7));
    }

    [Fact]
    public void ReachPrediction_IsTheStructuralOne_WhenTheStepsEndIt_AndMatchesWhatABatchRecords()
    {
        var shape = new NetworkShape(Deep);
        double[][] weights = [.. shape.Layers.Select(l => WeightInitialiser.Initial(Deep, l))];
        (double[] x, double[] y) = Sample(0);

        ReachPrediction prediction = ErrorReach.Predict(shape, weights, steps: 2, TwoSteps.InferenceRate, Rows, [(x, y)]);

        Assert.Equal(5, prediction.LowestUpdated);
        Assert.Equal(5, prediction.LowestPossible);
        Assert.All(prediction.Headroom.Take(4), h => Assert.Equal(0, h));
        Assert.Equal([ReachVerdict.None, ReachVerdict.None, ReachVerdict.None, ReachVerdict.None, ReachVerdict.Update, ReachVerdict.Update, ReachVerdict.Update], Enumerable.Range(1, 7).Select(prediction.Verdict));
    }

    [Fact]
    public void ReachPrediction_WhereFloat32RoundingEndsIt_MatchesWhatABatchRecords()
    {
        // T = H, so every layer is reachable in structure; a tiny step leaves the lower layers' moves below half an
        // ulp of their activities in float32, which is what the prediction must find.
        TrainingOptions tiny = TwoSteps with { InferenceSteps = null, InferenceRate = 1e-6 };
        var shape = new NetworkShape(Deep);
        double[][] weights = [.. shape.Layers.Select(l => WeightInitialiser.Initial(Deep, l))];
        (double[] X, double[] Y)[] batch = [.. Enumerable.Range(0, Rows).Select(Sample)];

        ReachPrediction prediction = ErrorReach.Predict(shape, weights, Deep.Depth, tiny.InferenceRate, Rows, batch);
        using IPcBackend backend = BackendFactory.Create("cpu");
        using var network = new PcNetwork(backend, Deep);
        Train(network, tiny, batch: 0);
        LayerLearning[] measured = network.MeasureLearning();

        Assert.InRange(prediction.LowestPossible, 2, Deep.Depth);
        Assert.True(prediction.AgreesWith([.. measured.Select(l => l.UpdatedBatches > 0)]), $"headroom {string.Join(", ", prediction.Headroom)}; updated {string.Join(", ", measured.Select(l => l.UpdatedBatches))}");

        // The check itself can fail: a record that updated a layer predicted not to is refused.
        bool[] wrong = [.. measured.Select(_ => true)];
        Assert.False(prediction.AgreesWith(wrong));
    }

    private static void Train(PcNetwork network, TrainingOptions training, int batch)
    {
        (double[] X, double[] Y)[] samples = [.. Enumerable.Range(batch * Rows, Rows).Select(Sample)];
        network.Clamp([.. samples.SelectMany(s => s.X)], [.. samples.SelectMany(s => s.Y)], Rows);
        if (training.Algorithm == Algorithm.Pc)
        {
            network.TrainPc(training.StepsFor(network.Shape.Options), training.InferenceRate, training, [], new double[network.Shape.LayerCount]);
        }
        else
        {
            network.TrainBp(training);
        }
    }

    /// <summary>Sample i: x_c = sin(0.7i + 1.3c), a one-hot y.</summary>
    private static (double[] X, double[] Y) Sample(int i)
    {
        double[] x = [.. Enumerable.Range(0, Deep.InputDim).Select(c => Math.Sin((0.7 * i) + (1.3 * c)))];
        double[] y = new double[Deep.OutputDim];
        y[i % Deep.OutputDim] = 1;
        return (x, y);
    }

    private static float[] Download(PcNetwork network, int layer)
    {
        float[] values = new float[network.Layer(layer).Weights.Length];
        network.Backend.Download(network.Layer(layer).Weights, values);
        return values;
    }
}
