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

    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var reader = new ArgumentReader(args, new HashSet<string>(StringComparer.Ordinal) { "--toy", "--no-skips" });
        bool toy = reader.Flag("--toy");
        var options = new NetworkOptions(
            Depth: reader.Count("--depth", 15),
            Width: reader.Count("--width", 128),
            InputDim: toy ? 1 : 784,
            OutputDim: toy ? 1 : 10,
            Activation: OptionNames.ParseActivation(reader.Text("--activation", "linear")),
            Parameterisation: OptionNames.ParseParameterisation(reader.Text("--param", "mupc")),
            Loss: OptionNames.ParseLoss(reader.Text("--loss", "mse")),
            Skips: !reader.Flag("--no-skips"),
            Seed: reader.Seed("--seed", 0));
        string dataDir = reader.Text("--data-dir", Dataset.DefaultFashionMnistDirectory);
        reader.RejectUnknown("diagnose");
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
