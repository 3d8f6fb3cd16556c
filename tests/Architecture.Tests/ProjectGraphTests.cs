using System.Xml.Linq;

namespace Pcn.Architecture.Tests;

/// <summary>
/// The projects and the one direction their references point: contracts at the bottom, then the compute backends and
/// the data, the network on both, the grains on the network, the hosting on the grains, and the two programs on top.
/// A reference that is not in this table (a program that takes another program, the data that takes the kernels)
/// fails here, so the layering changes only on purpose.
/// </summary>
public sealed class ProjectGraphTests
{
    /// <summary>Each product project (by folder under src/) and exactly the projects it references.</summary>
    private static readonly Dictionary<string, string[]> Layers = new(StringComparer.Ordinal)
    {
        ["Abstractions"] = [],
        ["GpuKernels"] = ["Abstractions"],
        ["Data"] = ["Abstractions"],
        ["Network"] = ["Abstractions", "Data", "GpuKernels"],
        ["Grains"] = ["Abstractions", "Network"],
        ["Hosting"] = ["Grains"],
        ["Silo"] = ["Hosting"],
        ["Client"] = ["Abstractions", "Hosting"],
    };

    [Fact]
    public void EveryProject_ReferencesExactlyItsLayersBelow()
    {
        Dictionary<string, string[]> found = Repository.ProductProjects().ToDictionary(p => p.Folder, p => References(p.Path), StringComparer.Ordinal);

        Assert.Equal(Layers.Keys.Order(StringComparer.Ordinal), found.Keys.Order(StringComparer.Ordinal));
        foreach ((string project, string[] expected) in Layers)
        {
            Assert.True(expected.SequenceEqual(found[project]), $"src/{project} references [{string.Join(", ", found[project])}]; the layering allows exactly [{string.Join(", ", expected)}]");
        }
    }

    [Fact]
    public void References_HaveNoCycle_AndPointDownward()
    {
        // The order in which each project comes after everything it references; a cycle leaves projects unplaced.
        var placed = new List<string>();
        var remaining = new HashSet<string>(Layers.Keys, StringComparer.Ordinal);
        while (remaining.Count > 0)
        {
            string[] ready = [.. remaining.Where(p => Layers[p].All(placed.Contains)).Order(StringComparer.Ordinal)];
            Assert.True(ready.Length > 0, $"a cycle among {string.Join(", ", remaining)}");
            placed.AddRange(ready);
            remaining.ExceptWith(ready);
        }

        // Nothing but the programs' own tests and the benchmarks may build on a program.
        string[] programs = ["Client", "Silo"];
        Assert.All(Layers, l => Assert.DoesNotContain(l.Value, programs.Contains));
    }

    [Fact]
    public void NoProductProject_ReferencesATestOrBenchmarkProject()
    {
        foreach ((_, string path) in Repository.ProductProjects())
        {
            IEnumerable<string> raw = XDocument.Load(path).Descendants("ProjectReference").Select(r => (string)r.Attribute("Include")!);
            Assert.All(raw, r => Assert.StartsWith("../", r, StringComparison.Ordinal));
            Assert.All(raw, r => Assert.DoesNotContain("tests", r, StringComparison.Ordinal));
            Assert.All(raw, r => Assert.DoesNotContain("bench", r, StringComparison.Ordinal));
        }
    }

    /// <summary>The src/ folders a project references, sorted.</summary>
    private static string[] References(string csproj) =>
        [.. XDocument.Load(csproj).Descendants("ProjectReference")
            .Select(r => Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(csproj)!, (string)r.Attribute("Include")!))))!)
            .Order(StringComparer.Ordinal)];
}
