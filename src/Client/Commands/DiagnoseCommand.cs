using System.CommandLine;
using System.Globalization;
using Pcn.Abstractions.Options;
using Pcn.Client.CommandLine;
using Pcn.Abstractions.Messages;
using Pcn.Client.Output;
using Pcn.Data;
using Pcn.GpuKernels.Backends.Cpu;
using Pcn.Network.Diagnostics;
using Pcn.Network.Structure;
using Pcn.Network.Training;

namespace Pcn.Client.Commands;

/// <summary>
/// `pcn diagnose`: at feedforward initialisation of one sample, the condition number κ = |λ|max/|λ|min of the activity
/// Hessian (spec §8), its extreme eigenvalues, and per-layer energies, activity norms and weight norms. `--toy` uses the
/// notebook's toy problem (input and output dimension 1, x ~ N(1, 0.1²), y = x); otherwise sample 0 of Fashion-MNIST.
/// `--reach` instead predicts how far down the error signal reaches in float32 within one batch's inference (which
/// weight layers can receive a non-zero update; <see cref="ErrorReach"/>) and checks it against one float32 batch of
/// training on the CPU backend.
/// </summary>
public static class DiagnoseCommand
{
    /// <summary>Largest Hessian this command builds (N·H); the eigenvalue solver is O((N·H)³).</summary>
    public const int MaxUnknowns = 4096;

    private static readonly Option<bool> Toy = PcnOption.Flag("--toy", "the notebook's toy problem (input and output dimension 1, x ~ N(1, 0.1²), y = x) instead of Fashion-MNIST's sample 0");
    private static readonly Option<int> Depth = PcnOption.Integer("--depth", "hidden layers H", 15);
    private static readonly Option<int> Width = PcnOption.Integer("--width", "width N of every hidden layer", 128);
    private static readonly Option<string> Activation = PcnOption.Text("--activation", "relu, tanh, linear, leaky_relu, gelu, hard_tanh, selu or silu", "linear");
    private static readonly Option<string> Parameterisation = PcnOption.Text("--param", "mupc, sp or depth_mup", "mupc");
    private static readonly Option<string> Loss = PcnOption.Text("--loss", "mse or ce (cross-entropy)", "mse");
    private static readonly Option<ulong> Seed = PcnOption.Seed("--seed", "seed of the initial weights (and of the toy sample)", 0);
    private static readonly Option<string> DataDirectory = PcnOption.Text("--data-dir", "the directory with Fashion-MNIST's four IDX files", Dataset.DefaultFashionMnistDirectory);
    private static readonly Option<bool> Reach = PcnOption.Flag("--reach", "predict which layers the error signal reaches in float32 within one batch's inference, and check it against one float32 batch of training");
    private static readonly Option<double> Beta = PcnOption.Number("--beta", "with --reach: inference rate β", 0.5);
    private static readonly Option<int> BatchSize = PcnOption.Integer("--batch-size", "with --reach: samples per batch B (the step is β/B)", 64);
    private static readonly Option<int?> Steps = PcnOption.OptionalInteger("--steps", "with --reach: inference steps T (default: H)");
    private static readonly Option<int?> Samples = PcnOption.OptionalInteger("--samples", "with --reach: how many samples of the batch are followed in double for the prediction (default: all B; the reach is a maximum over them)");

    /// <summary>The command.</summary>
    public static Command Create()
    {
        var command = new Command("diagnose", "κ of the activity Hessian at feedforward init, per-layer energies and norms")
        {
            Toy, Depth, Width, Activation, Parameterisation, Loss, TrainOptions.NoSkips, Seed, DataDirectory, Reach, Beta, BatchSize, Steps, Samples,
        };
        command.SetAction(Run);
        return command;
    }

    private static int Run(ParseResult result)
    {
        TextWriter output = result.InvocationConfiguration.Output;
        bool toy = result.GetValue(Toy);
        var options = new NetworkOptions(
            Depth: result.GetValue(Depth),
            Width: result.GetValue(Width),
            InputDim: toy ? 1 : 784,
            OutputDim: toy ? 1 : 10,
            Activation: OptionNames.ParseActivation(result.GetValue(Activation)!),
            Parameterisation: OptionNames.ParseParameterisation(result.GetValue(Parameterisation)!),
            Loss: OptionNames.ParseLoss(result.GetValue(Loss)!),
            Skips: !result.GetValue(TrainOptions.NoSkips),
            Seed: result.GetValue(Seed));
        string dataDir = result.GetValue(DataDirectory)!;
        options.Validate();
        if (!result.GetValue(Reach) && ((Option[])[Beta, BatchSize, Steps, Samples]).FirstOrDefault(o => result.GetResult(o) is { Implicit: false }) is { } unused)
        {
            throw new InvalidOptionException(unused.Name, "(given)", "applies to --reach only; the Hessian is taken at feedforward initialisation of one sample");
        }

        if (result.GetValue(Reach))
        {
            var training = new TrainingOptions(InferenceRate: result.GetValue(Beta), InferenceSteps: result.GetValue(Steps), BatchSize: result.GetValue(BatchSize)).Validate();
            int samples = result.GetValue(Samples) ?? training.BatchSize;
            if (samples < 1 || samples > training.BatchSize)
            {
                throw new InvalidOptionException("--samples", samples.ToString(CultureInfo.InvariantCulture), $"must be in [1, B = {training.BatchSize}]");
            }

            return PrintReach(output, options, training, samples, toy ? ToySamples(options.Seed, training.BatchSize) : DatasetSamples(dataDir, training.BatchSize), toy);
        }

        if ((long)options.Depth * options.Width > MaxUnknowns)
        {
            throw new InvalidOptionException("--depth", options.Depth.ToString(CultureInfo.InvariantCulture), $"the Hessian has N·H = {(long)options.Depth * options.Width} rows; at most {MaxUnknowns} are supported (reduce --depth or --width)");
        }

        var shape = new NetworkShape(options);
        double[][] weights = shape.Layers.Select(l => WeightInitialiser.Initial(options, l)).ToArray();
        (double[] x, double[] y) = (toy ? ToySamples(options.Seed, 1) : DatasetSamples(dataDir, 1))[0];

        // At the feedforward point every hidden error, and so every hidden energy, is 0; only the output's is not.
        (IReadOnlyList<double[]> activities, double[] prediction) = ActivityHessian.Feedforward(shape, weights, x);
        double[] energies = [.. Enumerable.Repeat(0.0, activities.Count), 0.5 * prediction.Select((v, k) => (y[k] - v) * (y[k] - v)).Sum()];

        int n = options.Depth * options.Width;
        double[] hessian = ActivityHessian.Compute(shape, weights, x, y, activities);
        (double condition, double smallest, double largest) = ActivityHessian.Condition(hessian, n);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"activity Hessian at feedforward init: {n}×{n}, κ = {condition:G6}, λ from {smallest:G6} to {largest:G6}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"network: H={options.Depth} N={options.Width} {OptionNames.Name(options.Activation)} {OptionNames.Name(options.Parameterisation)} {(options.Skips ? "skips" : "no skips")} seed {options.Seed}; {(toy ? "toy sample x ~ N(1, 0.1²), y = x" : "Fashion-MNIST sample 0")}"));
        output.WriteLine("layer  energy        ‖z‖           ‖W‖_F");
        for (int l = 1; l <= shape.LayerCount; l++)
        {
            double activityNorm = l <= activities.Count ? Math.Sqrt(activities[l - 1].Sum(v => v * v)) : double.NaN;
            double weightNorm = Math.Sqrt(weights[l - 1].Sum(v => v * v));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{l,5}  {energies[l - 1],-12:G6}  {activityNorm,-12:G6}  {weightNorm:G6}"));
        }

        return 0;
    }

    /// <summary>
    /// The prediction for one batch at initialisation, beside what one float32 batch of training on the CPU backend
    /// does: which weight layers got a non-zero update, and each layer's energy after inference.
    /// </summary>
    private static int PrintReach(TextWriter output, NetworkOptions options, TrainingOptions training, int followed, IReadOnlyList<(double[] X, double[] Y)> batch, bool toy)
    {
        var shape = new NetworkShape(options);
        double[][] weights = [.. shape.Layers.Select(l => WeightInitialiser.Initial(options, l))];
        int steps = training.StepsFor(options);

        // The heading comes first: following every sample in double takes minutes for a deep, wide network.
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"error reach in float32 within one batch: H={options.Depth} N={options.Width} {OptionNames.Name(options.Activation)} {OptionNames.Name(options.Parameterisation)} β={training.InferenceRate} B={training.BatchSize} T={steps} (step β/B = {training.InferenceRate / training.BatchSize:G3}); {(toy ? "toy samples" : "Fashion-MNIST's first batch")}, {followed} followed in double"));
        output.Flush();
        ReachPrediction prediction = ErrorReach.Predict(shape, weights, steps, training.InferenceRate, training.BatchSize, [.. batch.Take(followed)]);

        using var network = new PcNetwork(new CpuBackend(), options);
        network.Clamp([.. batch.SelectMany(s => s.X)], [.. batch.SelectMany(s => s.Y)], training.BatchSize);
        double[] energies = new double[shape.LayerCount];
        try
        {
            network.TrainPc(steps, training.InferenceRate, training, [], energies);
        }
        catch (DivergenceException e)
        {
            // A step too large for the network: the check has nothing to compare with, and says so as a run would.
            output.WriteLine($"the float32 batch diverged ({e.Message}); no reach to predict");
            return 3;
        }

        LayerLearning[] measured = network.MeasureLearning();

        bool[] updated = [.. measured.Select(l => l.UpdatedBatches > 0)];
        int[] Layers(Func<int, bool> which) => [.. Enumerable.Range(1, shape.LayerCount).Where(which)];
        int[] certain = Layers(l => prediction.Verdict(l) == ReachVerdict.Update), borderline = Layers(l => prediction.Verdict(l) == ReachVerdict.Borderline), none = Layers(l => prediction.Verdict(l) == ReachVerdict.None);
        output.WriteLine($"predicted: weight layers {LearningSummary.Ranges(certain)} receive a non-zero update{(borderline.Length > 0 ? $"; {LearningSummary.Ranges(borderline)} borderline (within {ReachPrediction.Margin:G}× of half a float32 ulp)" : string.Empty)}{(none.Length > 0 ? $"; {LearningSummary.Ranges(none)} cannot (their activities' moves are below half a float32 ulp)" : string.Empty)}");
        output.WriteLine($"measured (one float32 batch, CPU backend): weight layers {LearningSummary.Ranges(Layers(l => updated[l - 1]))} received a non-zero update; {(prediction.AgreesWith(updated) ? "as predicted" : "NOT as predicted")}");
        output.WriteLine("layer  headroom (log10 of |β/B·∂F/∂z| / ½ulp, max)  predicted   measured  energy after inference (float32)");
        for (int l = 1; l <= shape.LayerCount; l++)
        {
            string headroom = l < shape.LayerCount ? (prediction.Headroom[l - 1] > 0 ? Math.Log10(prediction.Headroom[l - 1]).ToString("F1", CultureInfo.InvariantCulture) : "-inf") : "(output)";
            string verdict = prediction.Verdict(l).ToString().ToLowerInvariant();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{l,5}  {headroom,-44}  {verdict,-10}  {(updated[l - 1] ? "update" : "none"),-8}  {energies[l - 1]:G3}"));
        }

        return 0;
    }

    private static List<(double[] X, double[] Y)> ToySamples(ulong seed, int count)
    {
        var generator = new SeededGenerator(seed, 0x544F59UL);
        var samples = new List<(double[] X, double[] Y)>(count);
        for (int i = 0; i < count; i++)
        {
            double x = 1 + (0.1 * generator.NextGaussian());
            samples.Add(([x], [x]));
        }

        return samples;
    }

    /// <summary>The first <paramref name="count"/> training samples of Fashion-MNIST, normalised, with one-hot targets.</summary>
    private static List<(double[] X, double[] Y)> DatasetSamples(string directory, int count)
    {
        Dataset data = Dataset.Load(directory, Normalisation.FashionMnist, limitTrain: count, limitTest: 1);
        if (data.Train.Count < count)
        {
            throw new InvalidOptionException("--batch-size", count.ToString(CultureInfo.InvariantCulture), $"the data in {directory} has only {data.Train.Count} training samples");
        }

        return [.. Enumerable.Range(0, count).Select(i =>
        {
            double[] y = new double[10];
            y[data.Train.Labels[i]] = 1;
            return (data.Train.Image(i).ToArray().Select(v => (double)v).ToArray(), y);
        })];
    }
}
