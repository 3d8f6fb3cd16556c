using System.Globalization;

namespace Pcn.Abstractions.Options;

/// <summary>
/// How a network is trained (spec §3–§5). Defaults are the paper's µPC settings for ReLU on (Fashion-)MNIST.
/// </summary>
/// <param name="Algorithm">pc (inference learning, also standard PC with <c>sp</c>) or bp.</param>
/// <param name="LearningRate">η, Adam's step on the weights (&gt; 0).</param>
/// <param name="InferenceRate">β, the gradient-descent step on the activities (&gt; 0; per-sample step β/B).</param>
/// <param name="InferenceSteps">T; null means T = H as in the paper.</param>
/// <param name="BatchSize">B (≥ 1); incomplete last batches are dropped, as the reference does.</param>
/// <param name="Epochs">Passes over the training set (≥ 1).</param>
/// <param name="TestEvery">Evaluate test accuracy every this many batches (≥ 1).</param>
/// <param name="BatchLimit">Stop after this many batches in all; null means no limit.</param>
/// <param name="ShuffleSeed">Seed of the training-set shuffle.</param>
/// <param name="AdamBeta1">b1 (default 0.9).</param>
/// <param name="AdamBeta2">b2 (default 0.999).</param>
/// <param name="AdamEpsilon">eps (default 1e-8).</param>
/// <param name="EarlyStopAccuracy">
/// As the reference does, a run whose test accuracy is below this (percent) at any evaluation stops as failed
/// ("no learning"); 0 turns it off.
/// </param>
/// <param name="CheckpointEvery">
/// Take a checkpoint (every layer's weights and Adam state, and the run's progress) every this many batches, and at
/// the end; 0 takes one only at the end; null (the default) paces them by time (<see cref="AutoCheckpointInterval"/>).
/// A run that loses a silo resumes from its last checkpoint.
/// </param>
/// <param name="TrainTopLayers">
/// --train-layers top:K: only the top K weight matrices (ℓ = L−K+1..L) are updated; the layers below keep their initial
/// weights bit for bit while inference and feedforward still run through them. Null trains every layer.
/// </param>
[GenerateSerializer]
[Immutable]
[Alias("pcn.training-options")]
public sealed record TrainingOptions(
    [property: Id(0)] Algorithm Algorithm = Algorithm.Pc,
    [property: Id(1)] double LearningRate = 0.1,
    [property: Id(2)] double InferenceRate = 0.5,
    [property: Id(3)] int? InferenceSteps = null,
    [property: Id(4)] int BatchSize = 64,
    [property: Id(5)] int Epochs = 1,
    [property: Id(6)] int TestEvery = 300,
    [property: Id(7)] int? BatchLimit = null,
    [property: Id(8)] ulong ShuffleSeed = 0,
    [property: Id(9)] double AdamBeta1 = 0.9,
    [property: Id(10)] double AdamBeta2 = 0.999,
    [property: Id(11)] double AdamEpsilon = 1e-8,
    [property: Id(12)] double EarlyStopAccuracy = 15,
    [property: Id(13)] int? CheckpointEvery = null,
    [property: Id(14)] int? TrainTopLayers = null)
{
    /// <summary>
    /// The default pacing of checkpoints. A fixed number of batches cannot fit every network: a batch takes 2 ms at
    /// H = 8, N = 128 and over a second at H = 128, while a checkpoint takes tens of milliseconds to a second. So by
    /// default a run takes a checkpoint when the time since its last one reaches this many times what the last one took,
    /// and at least <see cref="AutoCheckpointFloorSeconds"/>: checkpoints then cost at most 1/40 (2.5%) of training time,
    /// and a lost silo costs at most that interval of recomputation (measured by pcn-bench --checkpoints).
    /// </summary>
    public const double AutoCheckpointInterval = 40;

    /// <summary>The shortest time between checkpoints paced by time, in seconds.</summary>
    public const double AutoCheckpointFloorSeconds = 30;

    /// <summary>Throws <see cref="InvalidOptionException"/> when --train-layers asks for more layers than <paramref name="network"/> has.</summary>
    public void RequireFits(NetworkOptions network)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (TrainTopLayers is int top && top > network.LayerCount)
        {
            throw new InvalidOptionException("--train-layers", string.Create(CultureInfo.InvariantCulture, $"top:{top}"), $"the network has {network.LayerCount} weight layers (H + 1); K must be in [1, {network.LayerCount}]");
        }
    }

    /// <summary>Whether weight layer <paramref name="layer"/> (1-based) of <paramref name="layerCount"/> is trained.</summary>
    public bool Trains(int layer, int layerCount) => TrainTopLayers is not int top || layer > layerCount - top;

    /// <summary>T for a network of depth H: the explicit value, or H.</summary>
    public int StepsFor(NetworkOptions network) => InferenceSteps ?? network.Depth;

    /// <summary>Throws <see cref="InvalidOptionException"/> naming the first option out of range.</summary>
    public TrainingOptions Validate()
    {
        NetworkOptions.RequireDefined("--algorithm", Algorithm);
        RequirePositiveFinite("--lr", LearningRate);
        RequirePositiveFinite("--beta", InferenceRate);
        if (InferenceSteps is int t)
        {
            NetworkOptions.RequireRange("--steps", t, 0, 1 << 20);
        }

        NetworkOptions.RequireRange("--batch-size", BatchSize, 1, 1 << 20);
        NetworkOptions.RequireRange("--epochs", Epochs, 1, 1 << 20);
        NetworkOptions.RequireRange("--test-every", TestEvery, 1, int.MaxValue);
        if (BatchLimit is int limit)
        {
            NetworkOptions.RequireRange("--batch-limit", limit, 1, int.MaxValue);
        }

        if (CheckpointEvery is int every)
        {
            NetworkOptions.RequireRange("--checkpoint-every", every, 0, int.MaxValue);
        }

        if (TrainTopLayers is int top)
        {
            NetworkOptions.RequireRange("--train-layers", top, 1, int.MaxValue);
        }

        RequireFraction("--adam-b1", AdamBeta1);
        RequireFraction("--adam-b2", AdamBeta2);
        RequirePositiveFinite("--adam-eps", AdamEpsilon);
        if (!double.IsFinite(EarlyStopAccuracy) || EarlyStopAccuracy < 0 || EarlyStopAccuracy > 100)
        {
            throw new InvalidOptionException("--early-stop", EarlyStopAccuracy.ToString("R", CultureInfo.InvariantCulture), "must be a test accuracy in [0, 100] percent (0 turns early stopping off)");
        }
        return this;
    }

    private static void RequirePositiveFinite(string option, double value)
    {
        if (!double.IsFinite(value) || value <= 0)
        {
            throw new InvalidOptionException(option, value.ToString("R", CultureInfo.InvariantCulture), "must be a finite number > 0");
        }
    }

    private static void RequireFraction(string option, double value)
    {
        if (!double.IsFinite(value) || value < 0 || value >= 1)
        {
            throw new InvalidOptionException(option, value.ToString("R", CultureInfo.InvariantCulture), "must be a finite number in [0, 1)");
        }
    }
}
