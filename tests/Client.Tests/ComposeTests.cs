using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Pcn.Client.Tests;

/// <summary>docker-compose (Debian's, config only: no engine runs here) accepts the compose file, and everything it builds or mounts read-only exists.</summary>
public sealed partial class ComposeTests
{
    [Fact]
    public async Task ComposeFile_IsAccepted_AndEveryBuildAndMountExists()
    {
        var info = new ProcessStartInfo("docker-compose", ["-f", Path.Combine(Processes.RepositoryRoot, "docker-compose.yml"), "config"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Processes.RepositoryRoot,
        };
        using Process compose = Process.Start(info) ?? throw new InvalidOperationException("docker-compose did not start (install Debian's docker-compose)");
        string config = await compose.StandardOutput.ReadToEndAsync();
        string errors = await compose.StandardError.ReadToEndAsync();
        await compose.WaitForExitAsync();

        Assert.True(compose.ExitCode == 0, $"docker-compose config failed: {errors}");
        foreach (string service in new[] { "redis", "silo1", "silo2", "silo3", "prometheus", "grafana", "client", "silo-gpu" })
        {
            Assert.Matches($"(?m)^  {Regex.Escape(service)}:$", config);
        }

        string[] contexts = Context().Matches(config).Select(m => m.Groups[1].Value).ToArray();
        string[] dockerfiles = Dockerfile().Matches(config).Select(m => m.Groups[1].Value).ToArray();
        string[] mounts = ReadOnlyMount().Matches(config).Select(m => m.Groups[1].Value).ToArray();
        Assert.NotEmpty(contexts);
        Assert.Equal(["Dockerfile.client", "Dockerfile.silo", "Dockerfile.silo-gpu"], dockerfiles.Distinct().Order());
        Assert.Equal(3, mounts.Length);
        Assert.All(contexts, c => Assert.True(Directory.Exists(c), $"build context {c} is missing"));
        Assert.All(dockerfiles, d => Assert.True(File.Exists(Path.Combine(Processes.RepositoryRoot, d)), $"{d} is missing"));
        Assert.All(mounts, m => Assert.True(File.Exists(m) || Directory.Exists(m), $"mounted {m} is missing"));
    }

    [GeneratedRegex(@"(?m)^\s+context: (\S+)$")]
    private static partial Regex Context();

    [GeneratedRegex(@"(?m)^\s+dockerfile: (\S+)$")]
    private static partial Regex Dockerfile();

    [GeneratedRegex(@"(?m)^\s+- (/[^:]+):[^:]+:ro$")]
    private static partial Regex ReadOnlyMount();
}
