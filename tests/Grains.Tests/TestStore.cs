namespace Pcn.Grains.Tests;

/// <summary>The grain-state files and checkpoints of the in-process test clusters: one fresh directory per test process.</summary>
internal static class TestStore
{
    public static string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("pcn-grains-tests-").FullName;
}
