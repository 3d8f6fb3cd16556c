namespace Pcn.Client.Tests;

/// <summary>
/// Progress written to a pipe (as scripts and these tests read it) stays plain lines: the live Spectre.Console display
/// is for terminals only, so no escape code reaches redirected output.
/// </summary>
public sealed class ProgressOutputTests
{
    [Fact]
    public async Task RedirectedProgress_IsPlainLines_WithoutEscapeCodes()
    {
        string runs = Directory.CreateTempSubdirectory("pcn-progress").FullName;
        string[] args = ["train", "--depth", "2", "--width", "16", "--limit-train", "512", "--limit-test", "128", "--batch-limit", "4", "--test-every", "2", "--early-stop", "0", "--run-id", "plain", "--runs-dir", runs];

        (int code, string output, string error) = await Processes.RunAsync(Processes.Pcn, args, TimeSpan.FromMinutes(3));

        Assert.True(code == 0, output + error);
        Assert.DoesNotContain('\u001b', output + error);
        Assert.Contains("  test accuracy after batch 2: ", output, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^  batch 4/4 +\d+ samples/s  loss ", output);
        Assert.Matches(@"(?m)^  state +completed$", output);
        Assert.Contains($"  results        {Path.Combine(runs, "plain", "results.json")}", output, StringComparison.Ordinal);
    }
}
