using System.Diagnostics;

namespace Pcn.Client.Tests;

/// <summary>The scripts in scripts/: valid bash, and they refuse bad options (and a missing GPU) before doing any work.</summary>
public sealed class ScriptTests
{
    public static TheoryData<string> Scripts() => [.. Directory.GetFiles(Path.Combine(Processes.RepositoryRoot, "scripts"), "*.sh").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Scripts))]
    public async Task Script_ParsesAsBash(string script)
    {
        (int code, _, string error) = await BashAsync("-n", Path.Combine("scripts", script));

        Assert.True(code == 0, error);
    }

    [Theory]
    [InlineData("reproduce-depth.sh")]
    [InlineData("reproduce-transfer.sh")]
    [InlineData("reproduce-gpu.sh")]
    [InlineData("reproduce-learning-signal.sh")]
    public async Task ReproduceScript_RefusesAnUnknownOption(string script)
    {
        (int code, _, string error) = await BashAsync(Path.Combine("scripts", script), "--depht", "8");

        Assert.Equal(2, code);
        Assert.Contains("unknown option --depht", error);
    }

    [Fact]
    public async Task InstallDeps_ForTraining_NeedsOnlyTheDataSet_AndRefusesAnUnknownPurpose()
    {
        // Training needs the data set alone (installed here, as for every test); the test-only packages are not asked for.
        (int train, string trainOutput, string trainError) = await BashAsync(Path.Combine("scripts", "install-deps.sh"), "--for", "train");
        (int unknown, _, string unknownError) = await BashAsync(Path.Combine("scripts", "install-deps.sh"), "--for", "serve");

        Assert.True(train == 0, trainError);
        Assert.DoesNotContain("redis", trainOutput + trainError, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(2, unknown);
        Assert.Contains("--for serve: use train or test", unknownError);
    }

    [SkippableFact]
    public async Task GpuScript_WithoutAGpu_SaysSoAndRunsNothing()
    {
        SkipWhereNvidiaSmiRuns("reproduce-gpu.sh runs the experiment itself there");

        (int code, _, string error) = await BashAsync(Path.Combine("scripts", "reproduce-gpu.sh"));

        Assert.Equal(1, code);
        Assert.Contains("no NVIDIA GPU found", error);
    }

    [SkippableFact]
    public async Task GpuCheck_WithoutAGpu_FailsAtOnce_BeforeBuildingOrWritingLogs()
    {
        (int syntax, _, string syntaxError) = await BashAsync("-n", Path.Combine("scripts", "gpu-check.sh"));
        Assert.True(syntax == 0, syntaxError);
        SkipWhereNvidiaSmiRuns("gpu-check.sh runs its checks there");
        string logs = Path.Combine(Directory.CreateTempSubdirectory("pcn-gpu-check").FullName, "out");

        // A short deadline: the refusal comes before the build, which alone would take a minute.
        (int code, string output, string error) = await BashAsync(new Dictionary<string, string> { ["OUT"] = logs }, TimeSpan.FromSeconds(30), Path.Combine("scripts", "gpu-check.sh"));

        Assert.Equal(1, code);
        Assert.Contains("gpu-check.sh: no NVIDIA GPU found", error);
        Assert.DoesNotContain("===", output);
        Assert.False(Directory.Exists(logs));
    }

    [Fact]
    public async Task GpuCheck_RefusesAnUnknownOption()
    {
        (int code, _, string error) = await BashAsync(Path.Combine("scripts", "gpu-check.sh"), "--quick");

        Assert.Equal(2, code);
        Assert.Contains("unknown option --quick", error);
    }

    /// <summary>The GPU scripts refuse to run only where <c>nvidia-smi -L</c> lists no GPU; elsewhere they do their work.</summary>
    private static void SkipWhereNvidiaSmiRuns(string why)
    {
        string? smi = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, "nvidia-smi")).FirstOrDefault(File.Exists);
        Skip.If(smi is not null, $"this machine has nvidia-smi ({smi}): {why}");
    }

    private static Task<(int Code, string Output, string Error)> BashAsync(params string[] args) =>
        BashAsync(new Dictionary<string, string>(), TimeSpan.FromSeconds(60), args);

    private static async Task<(int Code, string Output, string Error)> BashAsync(Dictionary<string, string> environment, TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = Processes.RepositoryRoot, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach ((string name, string value) in environment)
        {
            start.Environment[name] = value;
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(deadline.Token);
        return (process.ExitCode, await output, await error);
    }
}
