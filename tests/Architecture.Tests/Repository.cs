namespace Pcn.Architecture.Tests;

/// <summary>The repository these tests were built from, found upward from the test assembly.</summary>
internal static class Repository
{
    public static string Root { get; } = FindRoot();

    /// <summary>Each product project: its folder under src/ and its .csproj.</summary>
    public static IEnumerable<(string Folder, string Path)> ProductProjects() =>
        Directory.GetDirectories(Path.Combine(Root, "src"))
            .SelectMany(d => Directory.GetFiles(d, "*.csproj").Select(p => (Path.GetFileName(d), p)))
            .OrderBy(p => p.Item1, StringComparer.Ordinal);

    /// <summary>
    /// The C# source of every product project and the benchmarks except the one that builds <paramref name="assembly"/>
    /// (its folder is the assembly name less "Pcn."), in one string.
    /// </summary>
    public static string SourcesOutside(string assembly)
    {
        string own = Path.Combine(Root, "src", assembly["Pcn.".Length..]) + Path.DirectorySeparatorChar;
        IEnumerable<string> files = ((string[])[Path.Combine(Root, "src"), Path.Combine(Root, "bench")])
            .SelectMany(d => Directory.EnumerateFiles(d, "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.StartsWith(own, StringComparison.Ordinal) && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        return string.Join('\n', files.Select(File.ReadAllText));
    }

    private static string FindRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Pcn.slnx")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException($"No Pcn.slnx above {AppContext.BaseDirectory}: these tests read the repository they were built from.");
    }
}
