using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Pcn.Abstractions.Options;
using Pcn.Data;
using Pcn.GpuKernels.Backends.Cpu;
using Pcn.Network.Training;

namespace Pcn.Benchmarks;

/// <summary>
/// The README's default `pcn train` as a user runs it (a fresh process: embedded silo, Fashion-MNIST, H = 8, N = 128,
/// one epoch) beside the single-process trainer's epoch at the same settings, also in a fresh process, in alternating
/// rounds: `pcn train`'s start-up (process start to first batch) and its training phase against the trainer's.
/// </summary>
internal static class StartupBenchmark
{
    private static readonly string RepositoryRoot = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));

    public static async Task RunAsync(int rounds)
    {
        string pcn = Path.Combine(RepositoryRoot, "src", "Client", "bin", "Release", "net10.0", "pcn.dll");
        if (!File.Exists(pcn))
        {
            throw new FileNotFoundException($"Build the client first (dotnet build src/Client -c Release): {pcn} is missing.", pcn);
        }

        string runs = Directory.CreateTempSubdirectory("pcn-startup-").FullName;
        Console.WriteLine($"`pcn train` (defaults: H=8 N=128 T=8 B=64, 1 epoch, embedded silo) vs the single-process trainer's epoch, each in a fresh process, {rounds} alternating rounds:");
        var startups = new List<double>();
        var ratios = new List<double>();
        try
        {
            for (int round = 1; round <= rounds; round++)
            {
                Figures trainer = default, client = default;
                if (round % 2 == 1)
                {
                    trainer = await TrainerEpochAsync();
                    client = await PcnTrainAsync(pcn, runs, round);
                }
                else
                {
                    client = await PcnTrainAsync(pcn, runs, round);
                    trainer = await TrainerEpochAsync();
                }

                startups.Add(client.StartupSeconds);
                ratios.Add(client.TrainingSeconds / trainer.TrainingSeconds);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  round {round}: pcn train: start-up {client.StartupSeconds:F2} s ({client.Detail}), training {client.TrainingSeconds:F2} s, evaluation {client.EvaluationSeconds:F2} s, process {client.ProcessSeconds:F2} s;   trainer: start-up {trainer.StartupSeconds:F2} s, training {trainer.TrainingSeconds:F2} s, process {trainer.ProcessSeconds:F2} s;   training ratio {client.TrainingSeconds / trainer.TrainingSeconds:F2}"));
            }
        }
        finally
        {
            Directory.Delete(runs, recursive: true);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  median: pcn train start-up {Median(startups):F2} s (target ≤ 1.5 s); training phase ÷ the trainer's epoch {Median(ratios):F2} (target ≤ 1.3)"));
    }

    /// <summary>
    /// In the child process: the trainer's epoch from a cold start. Evaluation only after the last batch; its time is
    /// measured again on its own and taken out of the run's, so the figure is the batches alone.
    /// </summary>
    public static void TrainerEpoch()
    {
        Dataset data = Dataset.Load(Dataset.DefaultFashionMnistDirectory, Normalisation.FashionMnist);
        var network = new NetworkOptions(Depth: 8, Width: 128);
        using var trainer = new Trainer(new CpuBackend(), network, new TrainingOptions(TestEvery: int.MaxValue), data);
        double startup = ProcessAge();
        var clock = Stopwatch.StartNew();
        TrainingResult result = trainer.Run();
        double run = clock.Elapsed.TotalSeconds;
        clock.Restart();
        trainer.Evaluate();
        double evaluation = clock.Elapsed.TotalSeconds;
        Console.WriteLine(JsonSerializer.Serialize(new { startup, training = run - evaluation, evaluation, status = result.State.ToString() }));
    }

    private static async Task<Figures> TrainerEpochAsync()
    {
        var clock = Stopwatch.StartNew();
        // The same tiering settings as the pcn client's runtimeconfig (src/Client/runtimeconfig.template.json).
        string output = await RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "pcn-bench.dll"), "--trainer-epoch"], new() { ["DOTNET_TieredPGO"] = "0" });
        using JsonDocument figures = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        JsonElement root = figures.RootElement;
        return new Figures(root.GetProperty("startup").GetDouble(), root.GetProperty("training").GetDouble(), root.GetProperty("evaluation").GetDouble(), clock.Elapsed.TotalSeconds, string.Empty);
    }

    private static async Task<Figures> PcnTrainAsync(string pcn, string runs, int round)
    {
        var clock = Stopwatch.StartNew();
        string id = $"startup-{round}";
        await RunAsync("dotnet", [pcn, "train", "--quiet", "--runs-dir", runs, "--run-id", id]);
        double process = clock.Elapsed.TotalSeconds;
        using JsonDocument results = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(runs, id, "results.json")));
        JsonElement timings = results.RootElement.GetProperty("timings");
        JsonElement startup = timings.GetProperty("startup");
        string detail = string.Create(CultureInfo.InvariantCulture, $"runtime {startup.GetProperty("runtimeSeconds").GetDouble():F2}, silo {startup.GetProperty("clusterSeconds").GetDouble():F2}, data and layers {startup.GetProperty("runSetupSeconds").GetDouble():F2}");
        return new Figures(startup.GetProperty("totalSeconds").GetDouble(), timings.GetProperty("trainingSeconds").GetDouble(), timings.GetProperty("evaluationSeconds").GetDouble(), process, detail);
    }

    private static async Task<string> RunAsync(string file, string[] arguments, Dictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach ((string name, string value) in environment ?? [])
        {
            start.Environment[name] = value;
        }

        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}");
        }

        return await output;
    }

    private static double ProcessAge()
    {
        using Process self = Process.GetCurrentProcess();
        return (DateTime.Now - self.StartTime).TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        List<double> sorted = [.. values.Order()];
        return (sorted[(sorted.Count - 1) / 2] + sorted[sorted.Count / 2]) / 2;
    }

    private readonly record struct Figures(double StartupSeconds, double TrainingSeconds, double EvaluationSeconds, double ProcessSeconds, string Detail);
}
