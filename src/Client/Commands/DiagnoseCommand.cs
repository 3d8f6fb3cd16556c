using System.CommandLine;
using System.Globalization;
using Pcn.Abstractions.Options;
using Pcn.Client.CommandLine;
using Pcn.Data;
using Pcn.Network.Diagnostics;
using Pcn.Network.Structure;

namespace Pcn.Client.Commands;

/// <summary>
/// `pcn diagnose`: at feedforward initialisation of one sample, the condition number κ = |λ|max/|λ|min of the activity
/// Hessian (spec §8), its extreme eigenvalues, and per-layer energies, activity norms and weight norms. `--toy` uses the
/// notebook's toy problem (input and output dimension 1, x ~ N(1, 0.1²), y = x); otherwise sample 0 of Fashion-MNIST.
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

    /// <summary>The command.</summary>
    public static Command Create()
    {
        var command = new Command("diagnose", "κ of the activity Hessian at feedforward init, per-layer energies and norms")
        {
            Toy, Depth, Width, Activation, Parameterisation, Loss, TrainOptions.NoSkips, Seed, DataDirectory,
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
        if ((long)options.Depth * options.Width > MaxUnknowns)
        {
            throw new InvalidOptionException("--depth", options.Depth.ToString(CultureInfo.InvariantCulture), $"the Hessian has N·H = {(long)options.Depth * options.Width} rows; at most {MaxUnknowns} are supported (reduce --depth or --width)");
        }

        var shape = new NetworkShape(options);
        double[][] weights = shape.Layers.Select(l => WeightInitialiser.Initial(options, l)).ToArray();
        (double[] x, double[] y) = toy ? ToySample(options.Seed) : DatasetSample(dataDir);

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

    private static (double[] X, double[] Y) ToySample(ulong seed)
    {
        var generator = new SeededGenerator(seed, 0x544F59UL);
        double x = 1 + (0.1 * generator.NextGaussian());
        return ([x], [x]);
    }

    private static (double[] X, double[] Y) DatasetSample(string directory)
    {
        Dataset data = Dataset.Load(directory, Normalisation.FashionMnist, limitTrain: 1, limitTest: 1);
        double[] x = data.Train.Image(0).ToArray().Select(v => (double)v).ToArray();
        double[] y = new double[10];
        y[data.Train.Labels[0]] = 1;
        return (x, y);
    }
}
