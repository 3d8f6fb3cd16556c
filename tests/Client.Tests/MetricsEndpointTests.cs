using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Pcn.Client.Tests;

/// <summary>
/// /metrics of a real silo process during and after a run: every Pcn metric is exported, one series per layer for the
/// per-layer metrics, and the last exported per-layer energy equals the one in the run's results file; after
/// `pcn drop`, no series of the run is left (gauges, counters and histograms).
/// </summary>
public sealed partial class MetricsEndpointTests
{
    private static readonly string[] Exported =
    [
        "pcn_layer_energy", "pcn_layer_weight_norm", "pcn_layer_activity_gradient_rms", "pcn_layer_weight_update_norm", "pcn_layer_nonfinite_total", "pcn_run_energy", "pcn_run_train_loss", "pcn_run_test_accuracy_percent",
        "pcn_run_state", "pcn_run_batches_total", "pcn_run_samples_total", "pcn_run_layer_step_duration_seconds_bucket",
        "pcn_run_batch_duration_seconds_bucket", "pcn_layer_messages_total", "pcn_layer_bytes_total", "pcn_kernel_time_seconds_total",
    ];

    [Fact]
    public async Task Silo_ExportsEveryPcnMetric_AndTheLastLayerEnergiesOfTheRun()
    {
        string runs = Directory.CreateTempSubdirectory("pcn-metrics").FullName;
        int siloPort = Processes.FreePort(), gateway = Processes.FreePort(), http = Processes.FreePort();
        Process silo = Processes.Start(Processes.Silo, ["--silo-port", $"{siloPort}", "--gateway-port", $"{gateway}", "--http-port", $"{http}"]);
        try
        {
            await Processes.WaitHealthyAsync(http, silo, TimeSpan.FromSeconds(60));
            (int code, string output, string error) = await Processes.RunAsync(
                Processes.Pcn, ["train", "--cluster", $"127.0.0.1:{gateway}", "--run-id", "metrics-run", "--runs-dir", runs, "--depth", "5", "--width", "16", "--batch-limit", "6", "--test-every", "3", "--limit-train", "1024", "--limit-test", "128", "--early-stop", "0", "--quiet"], TimeSpan.FromMinutes(2));
            Assert.True(code == 0, $"exit {code}: {output}{error}");

            using var client = new HttpClient();
            string metrics = await client.GetStringAsync($"http://127.0.0.1:{http}/metrics");

            foreach (string name in Exported)
            {
                Assert.Contains(name, metrics);
            }

            Assert.Matches("target_info\\{[^}]*service_name=\"pcn-silo\"", metrics);
            Dictionary<int, double> energies = LayerSeries().Matches(metrics).Where(m => m.Groups["name"].Value == "pcn_layer_energy" && m.Groups["run"].Value == "metrics-run")
                .ToDictionary(m => int.Parse(m.Groups["layer"].Value, CultureInfo.InvariantCulture), m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture));
            Assert.Equal(Enumerable.Range(1, 6), energies.Keys.Order());

            using JsonDocument results = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(runs, "metrics-run", "results.json")));
            double[] last = results.RootElement.GetProperty("batches").EnumerateArray().Last().GetProperty("layerEnergies").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            for (int layer = 1; layer <= 6; layer++)
            {
                Assert.Equal(last[layer - 1], energies[layer], 1e-12 * Math.Max(1, Math.Abs(last[layer - 1])));
            }

            Assert.True(metrics.Split('\n').Count(l => l.Contains("run=\"metrics-run\"", StringComparison.Ordinal)) > 30, "the run's series were not all exported");
            (code, output, error) = await Processes.RunAsync(Processes.Pcn, ["drop", "--cluster", $"127.0.0.1:{gateway}", "--run", "metrics-run"], TimeSpan.FromMinutes(1));
            Assert.True(code == 0, $"pcn drop exited {code}: {output}{error}");

            // The exporter removes a disposed instrument's series after the collection that follows its disposal.
            // (The endpoint caches a scrape for a moment: the scrapes are a second apart.)
            await Task.Delay(1000);
            await client.GetStringAsync($"http://127.0.0.1:{http}/metrics");
            await Task.Delay(1000);
            string[] left = [.. (await client.GetStringAsync($"http://127.0.0.1:{http}/metrics")).Split('\n').Where(l => l.Contains("run=\"metrics-run\"", StringComparison.Ordinal))];
            Assert.True(left.Length == 0, $"{left.Length} series of the dropped run are left, e.g. {string.Join("; ", left.Take(3))}");
        }
        finally
        {
            Processes.Stop(silo);
            silo.Dispose();
        }
    }

    [GeneratedRegex("^(?<name>pcn_layer_[a-z_]+)\\{[^}]*layer=\"(?<layer>\\d+)\",run=\"(?<run>[^\"]+)\"\\} (?<value>\\S+)", RegexOptions.Multiline)]
    private static partial Regex LayerSeries();
}
