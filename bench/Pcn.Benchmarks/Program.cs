using System.Globalization;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;
using Pcn.Benchmarks;
using Pcn.Data;
using Pcn.GpuKernels.Backends;
using Pcn.GpuKernels.Backends.Cpu;
using Pcn.GpuKernels.Backends.Ilgpu;
using Pcn.Network.Training;

// Side-by-side figures for issue #2: FMA peak, GEMM, one µPC batch, one Fashion-MNIST epoch of µPC and BP.
// Usage: pcn-bench [--quick] [--skip-epoch] [--wide] [--seeds N] [--data-dir DIR]; other modes below (--cuda-probe,
// --gpu-table, --grains, --checkpoints, --startup, --metrics-overhead, --trainer-batch).
// --wide adds the epochs at N = 512 (the paper's width); --seeds N repeats the epochs with seeds 0..N−1 and prints means.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
if (args.Contains("--cuda-probe"))
{
    // pcn-bench --cuda-probe: the CUDA probe as one line; exit 0 present, 1 absent (nothing NVIDIA), 2 failing.
    CudaProbeResult probe = CudaProbe.Probe();
    Console.WriteLine(probe);
    Environment.ExitCode = probe.Status switch { CudaStatus.Present => 0, CudaStatus.Absent => 1, _ => 2 };
    return;
}

if (args.Contains("--gpu-table"))
{
    // pcn-bench --gpu-table [--backend cpu|cuda|ilgpu-cpu] [--depths 8,128] [--width 512] [--batches 3] [--data-dir DIR]
    // [--no-grains]: batches/s and device counts per batch, single process and through the grains (GpuTable).
    GpuTableOptions options;
    try
    {
        options = GpuTableOptions.Parse(args, Dataset.DefaultFashionMnistDirectory);
    }
    catch (ArgumentException e)
    {
        Console.Error.WriteLine($"pcn-bench: {e.Message}");
        Environment.ExitCode = 2;
        return;
    }

    Environment.ExitCode = await GpuTable.RunAsync(options);
    return;
}

if (args.Contains("--metrics-overhead"))
{
    // Issue #4: pcn-bench --metrics-overhead [--depth H] [--width N] [--steps T] [--batches K]
    int Arg(string name, int fallback) => Array.IndexOf(args, name) is int at and >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    int depth = Arg("--depth", 32);
    await GrainBenchmarks.MetricsOverheadAsync(Dataset.DefaultFashionMnistDirectory, depth, Arg("--width", 512), Arg("--steps", depth), Arg("--batches", 12), warmupBatches: 2);
    return;
}

if (args.Contains("--grains"))
{
    // Issue #9: pcn-bench --grains [--depth H --width N [--steps T] [--batches K]] [--rounds R]; without --depth, the
    // three configurations of the issue (H=8 N=128, H=128 N=128, H=32 N=512, T = H).
    int Arg(string name, int fallback) => Array.IndexOf(args, name) is int at and >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    GrainConfig[] configs = args.Contains("--depth")
        ? [new GrainConfig(Arg("--depth", 8), Arg("--width", 128), Arg("--steps", Arg("--depth", 8)), Arg("--batches", 12))]
        : GrainBenchmarks.Defaults;
    await GrainBenchmarks.RunAsync(Dataset.DefaultFashionMnistDirectory, configs, rounds: Arg("--rounds", 4));
    return;
}

if (args.Contains("--checkpoints"))
{
    // Issue #10: pcn-bench --checkpoints [--rounds R]: the default run with and without checkpoints every 100 batches.
    int at = Array.IndexOf(args, "--rounds");
    await CheckpointBenchmark.RunAsync(Dataset.DefaultFashionMnistDirectory, at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : 4);
    return;
}

if (args.Contains("--startup"))
{
    // Issue #9: pcn-bench --startup [--rounds R]: the README's default `pcn train` beside the trainer's epoch.
    int at = Array.IndexOf(args, "--rounds");
    await StartupBenchmark.RunAsync(at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : 4);
    return;
}

if (args.Contains("--trainer-epoch"))
{
    // The child process of --startup: one cold epoch of the single-process trainer, figures as one JSON line.
    StartupBenchmark.TrainerEpoch();
    return;
}

if (args.Contains("--trainer-batch"))
{
    // For profilers: pcn-bench --trainer-batch [--depth H] [--width N] [--seconds S] [--backend cpu|cuda|ilgpu-cpu] runs
    // one µPC batch (T = H) of the single-process trainer over and over and prints its rate.
    int Arg(string name, int fallback) => Array.IndexOf(args, name) is int at and >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
    using IPcBackend profiledBackend = BenchBackends.Create(Array.IndexOf(args, "--backend") is int b and >= 0 && b + 1 < args.Length ? args[b + 1] : "cpu");
    using var profiled = new PcBatchCase(profiledBackend, Arg("--width", 128), Arg("--depth", 128), Arg("--depth", 128));
    var clock = System.Diagnostics.Stopwatch.StartNew();
    int runs = 0;
    while (clock.Elapsed.TotalSeconds < Arg("--seconds", 20))
    {
        profiled.Run();
        runs++;
    }

    Console.WriteLine($"{runs} batches in {clock.Elapsed.TotalSeconds:F1} s: {profiled.Flops * runs / clock.Elapsed.TotalSeconds / 1e9:F1} GFLOP/s, {64.0 * runs / clock.Elapsed.TotalSeconds:F1} samples/s");
    return;
}

bool quick = args.Contains("--quick");
bool skipEpoch = args.Contains("--skip-epoch");
bool wide = args.Contains("--wide");
int seedsAt = Array.IndexOf(args, "--seeds");
int seeds = seedsAt >= 0 && seedsAt + 1 < args.Length ? int.Parse(args[seedsAt + 1], CultureInfo.InvariantCulture) : 1;
int dirAt = Array.IndexOf(args, "--data-dir");
string dataDir = dirAt >= 0 && dirAt + 1 < args.Length ? args[dirAt + 1] : Dataset.DefaultFashionMnistDirectory;
int threads = Environment.ProcessorCount;

Console.WriteLine($"Pcn benchmarks — {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}, .NET {Environment.Version}, " +
    $"Vector512 {System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
Console.WriteLine();

using var backend = new CpuBackend();
using var gemmLarge = new GemmCase(backend, 64, 512, 512);
using var gemmSmall = new GemmCase(backend, 64, 128, 128);
using var batch = new PcBatchCase(backend, width: 512, depth: 8, steps: 8);
using var deepBatch = new PcBatchCase(backend, width: 128, depth: 128, steps: 128);
using var layerBackend = new CpuBackend(parallelProducts: false);
using var deepBatchLayers = new PcBatchCase(layerBackend, width: 128, depth: 128, steps: 128);
using var gemmPerCore = new GemmPerCoreCase(threads, 64, 128, 128, repetitions: 200);

double peak = 0;

// Side by side: every round measures every case once, and each figure is the best of its rounds, so a slow spell
// on this shared machine lowers one round of every case rather than one case.
var cases = new (string Name, Action Run, int Repetitions)[]
{
    ("fma", () => peak = Math.Max(peak, FmaPeak.Measure(threads, TimeSpan.FromSeconds(0.25))), 1),
    ("gemm512", gemmLarge.Run, quick ? 50 : 200),
    ("gemm128", gemmSmall.Run, quick ? 200 : 2000),
    ("batch", batch.Run, quick ? 3 : 10),
    ("deep batch", deepBatch.Run, 1),
    ("gemm128 per core", gemmPerCore.Run, quick ? 5 : 20),
    ("deep batch, products unsplit", deepBatchLayers.Run, 1),
};
double[] best = SideBySide.BestSeconds(cases, rounds: quick ? 3 : 7, warmup: TimeSpan.FromSeconds(quick ? 1 : 2));
double gemm512 = gemmLarge.Flops / best[1] / 1e9;
double gemm128 = gemmSmall.Flops / best[2] / 1e9;
double batchGflops = batch.Flops / best[3] / 1e9;
Console.WriteLine($"FP32 FMA peak ({threads} cores)                  {peak,8:F1} GFLOP/s");
Console.WriteLine($"GEMM (64×512)·(512×512)                      {gemm512,8:F1} GFLOP/s  = {100 * gemm512 / peak,5:F1}% of peak (target ≥ 45%)");
Console.WriteLine($"GEMM (64×128)·(128×128)                      {gemm128,8:F1} GFLOP/s  = {100 * gemm128 / peak,5:F1}% of peak");
Console.WriteLine($"µPC batch B=64 N=512 H=8 T=8                 {batchGflops,8:F1} GFLOP/s  ({1000 * best[3]:F2} ms/batch, {batch.Flops / 1e9:F2} GFLOP) = {100 * batchGflops / gemm512,5:F1}% of GEMM (target ≥ 70%), {100 * batchGflops / peak:F1}% of peak");
double deepGflops = deepBatch.Flops / best[4] / 1e9;
double gemm128PerCore = gemmPerCore.Flops / best[5] / 1e9;
Console.WriteLine($"GEMM (64×128)·(128×128), one per core        {gemm128PerCore,8:F1} GFLOP/s  = {100 * gemm128PerCore / peak,5:F1}% of peak (the ceiling when whole layers run in parallel)");
Console.WriteLine($"µPC batch B=64 N=128 H=128 T=128             {deepGflops,8:F1} GFLOP/s  ({1000 * best[4]:F1} ms/batch, {64 / best[4]:F1} samples/s, {deepBatch.Flops / 1e9:F2} GFLOP) = {100 * deepGflops / gemm128PerCore,5:F1}% of the GEMM one per core, {100 * deepGflops / peak:F1}% of peak");
double deepLayersGflops = deepBatchLayers.Flops / best[6] / 1e9;
Console.WriteLine($"  the same, products not split               {deepLayersGflops,8:F1} GFLOP/s  ({1000 * best[6]:F1} ms/batch, {64 / best[6]:F1} samples/s) = {100 * deepLayersGflops / gemm128PerCore,5:F1}% of the GEMM one per core, {100 * deepLayersGflops / peak:F1}% of peak");

if (!skipEpoch)
{
    Console.WriteLine();
    Dataset data = Dataset.Load(dataDir, Normalisation.FashionMnist);
    foreach (int width in wide ? new[] { 128, 512 } : new[] { 128 })
    {
        Console.WriteLine($"1 epoch Fashion-MNIST, H=8 N={width} B=64 (937 batches, 9984 test images), µPC (η=0.1, β=0.5, T=8) vs BP Depth-µP (Adam lr=0.01):");
        var gaps = new List<double>();
        for (ulong seed = 0; seed < (ulong)seeds; seed++)
        {
            var network = new NetworkOptions(Depth: 8, Width: width, Seed: seed);
            (double pcAccuracy, double pcSeconds) = Epoch(data, network, new TrainingOptions(LearningRate: 0.1, InferenceRate: 0.5, TestEvery: 1000, ShuffleSeed: seed));
            (double bpAccuracy, double bpSeconds) = Epoch(data, network with { Parameterisation = Parameterisation.DepthMuP }, new TrainingOptions(Algorithm.Bp, LearningRate: 0.01, TestEvery: 1000, ShuffleSeed: seed));
            gaps.Add(pcAccuracy - bpAccuracy);
            Console.WriteLine($"  seed {seed}: µPC {pcAccuracy,6:F2}% in {pcSeconds,5:F1} s   BP {bpAccuracy,6:F2}% in {bpSeconds,5:F1} s   µPC − BP {pcAccuracy - bpAccuracy,+6:F2} points");
        }

        Console.WriteLine($"  mean µPC − BP over {seeds} seed(s): {gaps.Average(),+6:F2} points (target within ±1.5)");
    }
}

static (double Accuracy, double Seconds) Epoch(Dataset data, NetworkOptions network, TrainingOptions training)
{
    using var trainer = new Trainer(new CpuBackend(), network, training, data);
    TrainingResult result = trainer.Run();
    if (result.State != RunState.Completed)
    {
        Console.WriteLine($"  run ended {result.State}: {result.Failure}");
    }

    return (result.FinalAccuracy, result.Elapsed.TotalSeconds);
}
