using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Pcn.Client.Tests;

/// <summary>Ctrl-C (SIGINT) stops a run cleanly: state cancelled, batches so far kept in the results file.</summary>
public sealed class CancellationTests
{
    [Fact]
    public async Task Interrupt_StopsTheRunAsCancelled_AndKeepsItsResults()
    {
        string runs = Directory.CreateTempSubdirectory("pcn-cancel").FullName;
        using Process pcn = Processes.Start(Processes.Pcn, ["train", "--run-id", "cancel-me", "--runs-dir", runs, "--depth", "4", "--width", "64", "--epochs", "5", "--limit-train", "20000", "--limit-test", "256"]);
        var output = new StringBuilder();
        pcn.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        pcn.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        pcn.BeginOutputReadLine();
        pcn.BeginErrorReadLine();
        try
        {
            DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (!Snapshot(output).Contains("batch ", StringComparison.Ordinal))
            {
                Assert.True(DateTime.UtcNow < deadline && !pcn.HasExited, $"no progress before the deadline: {Snapshot(output)}");
                await Task.Delay(100);
            }

            using (Process kill = Process.Start("kill", ["-INT", pcn.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await pcn.WaitForExitAsync(timeout.Token);

            Assert.Equal(130, pcn.ExitCode);
            Assert.Contains("stopping after the current batch", Snapshot(output));
            using JsonDocument results = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(runs, "cancel-me", "results.json")));
            Assert.Equal("cancelled", results.RootElement.GetProperty("state").GetString());
            int batches = results.RootElement.GetProperty("timings").GetProperty("batches").GetInt32();
            Assert.InRange(batches, 1, (20000 / 64 * 5) - 1);
            Assert.Equal(batches, results.RootElement.GetProperty("batches").GetArrayLength());
        }
        finally
        {
            Processes.Stop(pcn);
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
