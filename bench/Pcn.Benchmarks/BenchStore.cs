namespace Pcn.Benchmarks;

/// <summary>The grain-state files and checkpoints of the benchmarks' in-process clusters: one fresh directory per run.</summary>
internal static class BenchStore
{
    public static string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("pcn-bench-").FullName;
}
