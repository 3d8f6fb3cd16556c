using System.Globalization;

namespace Pcn.Benchmarks;

/// <summary>
/// What <c>pcn-bench --gpu-table</c> measures: <c>[--backend cpu|cuda|ilgpu-cpu] [--depths 8,128] [--width 512]
/// [--batches 3] [--data-dir DIR] [--no-grains]</c>. Without <c>--backend</c>, cpu and cuda side by side.
/// </summary>
/// <param name="Backends">The backends, by <see cref="BenchBackends"/> name.</param>
/// <param name="Depths">The depths H (T = H).</param>
/// <param name="Width">N.</param>
/// <param name="Batches">Timed batches per measurement, after one warm-up batch.</param>
/// <param name="DataDirectory">The Fashion-MNIST files the grain runs read.</param>
/// <param name="Grains">Whether to measure through the grains of one silo as well.</param>
internal sealed record GpuTableOptions(IReadOnlyList<string> Backends, IReadOnlyList<int> Depths, int Width, int Batches, string DataDirectory, bool Grains)
{
    /// <summary>
    /// ILGPU's CPU accelerator is meant for tests (and for counting what a batch asks of a device): it runs every thread
    /// of a group as a host thread, about a millisecond per launch. Wider layers would take many minutes per row.
    /// </summary>
    public const int IlgpuCpuMaxWidth = 64;

    /// <inheritdoc cref="IlgpuCpuMaxWidth"/>
    public const int IlgpuCpuMaxDepth = 128;

    /// <summary>Reads the options after <c>--gpu-table</c>.</summary>
    /// <exception cref="ArgumentException">A bad value (the option named, with what is allowed).</exception>
    public static GpuTableOptions Parse(IReadOnlyList<string> args, string defaultDataDirectory)
    {
        string? backend = Value(args, "--backend");
        if (backend is not null && !BenchBackends.Names.Contains(backend))
        {
            throw new ArgumentException($"--backend '{backend}': allowed values are {string.Join(", ", BenchBackends.Names)}");
        }

        bool tiny = backend == "ilgpu-cpu";
        int[] depths = Value(args, "--depths") is { } list ? [.. list.Split(',').Select(d => Positive("--depths", d))] : tiny ? [2] : [8, 128];
        int width = Value(args, "--width") is { } w ? Positive("--width", w) : tiny ? 16 : 512;
        int batches = Value(args, "--batches") is { } b ? Positive("--batches", b) : tiny ? 1 : 3;
        if (tiny && (width > IlgpuCpuMaxWidth || depths.Max() > IlgpuCpuMaxDepth))
        {
            throw new ArgumentException($"--backend ilgpu-cpu is slow (about a millisecond per launch): use --width ≤ {IlgpuCpuMaxWidth} and --depths ≤ {IlgpuCpuMaxDepth} (default 16 and 2, one timed batch)");
        }

        return new GpuTableOptions(backend is null ? ["cpu", "cuda"] : [backend], depths, width, batches, Value(args, "--data-dir") ?? defaultDataDirectory, !args.Contains("--no-grains"));
    }

    private static string? Value(IReadOnlyList<string> args, string name)
    {
        int at = args.ToList().IndexOf(name);
        return at < 0 ? null : at + 1 < args.Count ? args[at + 1] : throw new ArgumentException($"{name} needs a value");
    }

    private static int Positive(string name, string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value > 0
            ? value
            : throw new ArgumentException($"{name} '{text}': must be an integer ≥ 1");
}
