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
    public async Task ReproduceScript_RefusesAnUnknownOption(string script)
    {
        (int code, _, string error) = await BashAsync(Path.Combine("scripts", script), "--depht", "8");

        Assert.Equal(2, code);
        Assert.Contains("unknown option --depht", error);
    }

    [Fact]
    public async Task GpuScript_WithoutAGpu_SaysSoAndRunsNothing()
    {
        if (File.Exists("/usr/bin/nvidia-smi"))
        {
            return;  // a GPU machine runs the experiment itself; this checks the refusal elsewhere
        }

        (int code, _, string error) = await BashAsync(Path.Combine("scripts", "reproduce-gpu.sh"));

        Assert.Equal(1, code);
        Assert.Contains("no NVIDIA GPU found", error);
    }

    private static async Task<(int Code, string Output, string Error)> BashAsync(params string[] args)
    {
        var start = new ProcessStartInfo("bash") { WorkingDirectory = Processes.RepositoryRoot, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}
