using System.Diagnostics;
using System.Text.Json;

namespace Pcn.Client.Tests;

/// <summary>
/// Two silo processes and the client as separate processes on loopback: a small run trains with its layers on both
/// silos (as the cluster reports them) and its results equal the embedded single-silo run with the same seed.
/// </summary>
public sealed class EndToEndTests
{
    private static readonly string[] RunOptions = ["--depth", "4", "--width", "32", "--batch-limit", "12", "--test-every", "6", "--limit-train", "2048", "--limit-test", "512", "--seed", "3", "--quiet"];

    [Fact]
    public async Task TwoSiloCluster_SpreadsLayers_AndEqualsTheEmbeddedRun()
    {
        string runs = Directory.CreateTempSubdirectory("pcn-e2e").FullName;
        int primarySilo = Processes.FreePort(), secondSilo = Processes.FreePort();
        int gateway0 = Processes.FreePort(), gateway1 = Processes.FreePort();
        int http0 = Processes.FreePort(), http1 = Processes.FreePort();
        var silos = new List<Process>();
        try
        {
            silos.Add(Processes.Start(Processes.Silo, ["--silo-port", $"{primarySilo}", "--gateway-port", $"{gateway0}", "--http-port", $"{http0}"]));
            await Processes.WaitHealthyAsync(http0, silos[0], TimeSpan.FromSeconds(60));
            silos.Add(Processes.Start(Processes.Silo, ["--silo-port", $"{secondSilo}", "--gateway-port", $"{gateway1}", "--http-port", $"{http1}", "--primary-silo-port", $"{primarySilo}"]));
            await Processes.WaitHealthyAsync(http1, silos[1], TimeSpan.FromSeconds(60));

            (int clusterCode, string clusterOutput, string clusterError) = await Processes.RunAsync(
                Processes.Pcn, ["train", "--cluster", $"127.0.0.1:{gateway0}", "--run-id", "e2e-cluster", "--runs-dir", runs, .. RunOptions], TimeSpan.FromMinutes(3));
            Assert.True(clusterCode == 0, $"cluster run exited {clusterCode}: {clusterOutput}{clusterError}");
            (int embeddedCode, string embeddedOutput, string embeddedError) = await Processes.RunAsync(
                Processes.Pcn, ["train", "--run-id", "e2e-embedded", "--runs-dir", runs, .. RunOptions], TimeSpan.FromMinutes(3));
            Assert.True(embeddedCode == 0, $"embedded run exited {embeddedCode}: {embeddedOutput}{embeddedError}");

            using JsonDocument cluster = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(runs, "e2e-cluster", "results.json")));
            using JsonDocument embedded = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(runs, "e2e-embedded", "results.json")));
            string[] placement = cluster.RootElement.GetProperty("placement").EnumerateArray().Select(p => p.GetProperty("silo").GetString()!).ToArray();
            Assert.Equal(5, placement.Length);
            Assert.Equal(2, placement.Distinct().Count());
            Assert.Contains(placement, silo => silo.EndsWith($":{primarySilo}", StringComparison.Ordinal));
            Assert.Contains(placement, silo => silo.EndsWith($":{secondSilo}", StringComparison.Ordinal));

            Assert.Equal("completed", cluster.RootElement.GetProperty("state").GetString());
            Assert.Equal(Batches(embedded), Batches(cluster));
            double accuracy = cluster.RootElement.GetProperty("finalTestAccuracy").GetDouble();
            Assert.Equal(embedded.RootElement.GetProperty("finalTestAccuracy").GetDouble(), accuracy);

            (int statusCode, string status, _) = await Processes.RunAsync(Processes.Pcn, ["status", "--cluster", $"127.0.0.1:{gateway1}"], TimeSpan.FromMinutes(1));
            Assert.Equal(0, statusCode);
            Assert.Matches(@"e2e-cluster\s+completed\s+12/12", status);
            (int evalCode, string eval, _) = await Processes.RunAsync(Processes.Pcn, ["eval", "--cluster", $"127.0.0.1:{gateway0}", "--run", "e2e-cluster"], TimeSpan.FromMinutes(1));
            Assert.Equal(0, evalCode);
            Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"e2e-cluster: test accuracy {accuracy:F2}%"), eval);

            using var http = new HttpClient();
            Assert.Contains("run=\"e2e-cluster\"", await http.GetStringAsync($"http://127.0.0.1:{http0}/metrics") + await http.GetStringAsync($"http://127.0.0.1:{http1}/metrics"));
            (int dropCode, string dropped, _) = await Processes.RunAsync(Processes.Pcn, ["drop", "--cluster", $"127.0.0.1:{gateway0}", "--run", "e2e-cluster"], TimeSpan.FromMinutes(1));
            Assert.Equal(0, dropCode);
            Assert.Contains("e2e-cluster: dropped", dropped);
            string after = await http.GetStringAsync($"http://127.0.0.1:{http0}/metrics") + await http.GetStringAsync($"http://127.0.0.1:{http1}/metrics");
            Assert.DoesNotContain("pcn_layer_energy{otel_scope_name=\"Pcn\",layer=\"1\",run=\"e2e-cluster\"}", after);
            Assert.DoesNotMatch("pcn_layer_[a-z_]+\\{[^}]*run=\"e2e-cluster\"", after);
        }
        finally
        {
            foreach (Process silo in silos)
            {
                Processes.Stop(silo);
                silo.Dispose();
            }
        }
    }

    /// <summary>Each batch's train loss and per-layer energies, as exact decimal strings.</summary>
    private static string[] Batches(JsonDocument results) => results.RootElement.GetProperty("batches").EnumerateArray()
        .Select(b => $"{b.GetProperty("batch").GetInt32()}:{b.GetProperty("trainLoss").GetRawText()}:{b.GetProperty("layerEnergies").GetRawText()}")
        .ToArray();
}
