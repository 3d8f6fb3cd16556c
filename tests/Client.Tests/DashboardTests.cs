using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Pcn.Client.Tests;

/// <summary>
/// The Grafana dashboards against a real Prometheus (Debian's, on 127.0.0.1, scraping a real silo every second, with
/// storage in a temporary directory) during a training run: every panel query, with its variables filled in, returns
/// at least one series, and every metric a dashboard names exists on the silo's /metrics.
/// </summary>
public sealed partial class DashboardTests
{
    private const string PrometheusBinary = "/usr/bin/prometheus";

    public static IEnumerable<string> DashboardFiles() =>
        Directory.GetFiles(Path.Combine(Processes.RepositoryRoot, "dashboards", "grafana", "dashboards"), "*.json").Order();

    [Fact]
    public void Dashboards_AreWellFormed_WithVariablesForDatasourceRunAndLayer()
    {
        string[] files = DashboardFiles().ToArray();
        Assert.Equal(2, files.Length);
        foreach (string file in files)
        {
            using JsonDocument dashboard = JsonDocument.Parse(File.ReadAllText(file));
            JsonElement root = dashboard.RootElement;
            Assert.False(string.IsNullOrEmpty(root.GetProperty("uid").GetString()));
            string[] variables = root.GetProperty("templating").GetProperty("list").EnumerateArray().Select(v => v.GetProperty("name").GetString()!).ToArray();
            Assert.Contains("datasource", variables);
            Assert.Contains("run", variables);
            Assert.All(Panels(root), p => Assert.NotEmpty(p.Queries));
        }

        string training = File.ReadAllText(files.Single(f => f.EndsWith("pcn-training.json", StringComparison.Ordinal)));
        Assert.Contains("\"name\": \"layer\"", training);
        Assert.Contains("\"type\": \"heatmap\"", training);
        foreach (string file in new[] { "dashboards/prometheus.yml", "dashboards/grafana/provisioning/datasources/prometheus.yml", "dashboards/grafana/provisioning/dashboards/pcn.yml" })
        {
            Assert.True(File.Exists(Path.Combine(Processes.RepositoryRoot, file)), $"{file} is missing");
        }
    }

    [Fact]
    public async Task EveryPanelQuery_ReturnsSeries_FromARealPrometheusDuringARun()
    {
        Assert.True(File.Exists(PrometheusBinary), $"{PrometheusBinary} is missing: install Debian's prometheus (scripts/install-deps.sh does).");
        string work = Directory.CreateTempSubdirectory("pcn-prometheus").FullName;
        int siloPort = Processes.FreePort(), gateway = Processes.FreePort(), http = Processes.FreePort(), prometheusPort = Processes.FreePort();
        await File.WriteAllTextAsync(Path.Combine(work, "prometheus.yml"), $"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: pcn-silos
                static_configs:
                  - targets: ["127.0.0.1:{http}"]
            """);
        var processes = new List<Process>();
        try
        {
            Process silo = Processes.Start(Processes.Silo, ["--silo-port", $"{siloPort}", "--gateway-port", $"{gateway}", "--http-port", $"{http}"]);
            processes.Add(silo);
            await Processes.WaitHealthyAsync(http, silo, TimeSpan.FromSeconds(60));
            processes.Add(Process.Start(new ProcessStartInfo(PrometheusBinary)
            {
                ArgumentList = { $"--config.file={Path.Combine(work, "prometheus.yml")}", $"--storage.tsdb.path={Path.Combine(work, "data")}", $"--web.listen-address=127.0.0.1:{prometheusPort}" },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            }) ?? throw new InvalidOperationException("prometheus did not start"));
            using var http1 = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{prometheusPort}"), Timeout = TimeSpan.FromSeconds(5) };
            await PollAsync(async () => (await http1.GetAsync("/-/ready")).IsSuccessStatusCode, TimeSpan.FromSeconds(60), "Prometheus did not become ready");

            Process client = Processes.Start(Processes.Pcn, ["train", "--cluster", $"127.0.0.1:{gateway}", "--run-id", "dash-run", "--runs-dir", work, "--depth", "4", "--width", "32", "--batch-limit", "100000", "--epochs", "50", "--test-every", "50", "--limit-test", "256", "--quiet"]);
            processes.Add(client);

            var queries = DashboardFiles().SelectMany(f => Panels(JsonDocument.Parse(File.ReadAllText(f)).RootElement)).SelectMany(p => p.Queries.Select(q => (p.Title, Query: Fill(q)))).ToList();
            var missing = new List<string>();
            DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
            do
            {
                await Task.Delay(1000);
                missing.Clear();
                foreach ((string title, string query) in queries)
                {
                    if (await SeriesAsync(http1, query) == 0)
                    {
                        missing.Add($"{title}: {query}");
                    }
                }
            }
            while (missing.Count > 0 && DateTime.UtcNow < deadline);

            Assert.True(missing.Count == 0, $"panel queries without series{(client.HasExited ? $" (the client exited with {client.ExitCode}: {await client.StandardError.ReadToEndAsync()})" : string.Empty)}:\n" + string.Join("\n", missing));
            Assert.True(!client.HasExited || client.ExitCode == 0, $"the client failed with {(client.HasExited ? client.ExitCode : 0)}: {(client.HasExited ? await client.StandardError.ReadToEndAsync() : string.Empty)}");
            string runs = await http1.GetStringAsync("/api/v1/label/run/values?match[]=pcn_run_state");
            Assert.Contains("dash-run", runs);

            string metrics = await new HttpClient().GetStringAsync($"http://127.0.0.1:{http}/metrics");
            foreach (string name in queries.SelectMany(q => MetricName().Matches(q.Query).Select(m => m.Value)).Distinct())
            {
                Assert.Contains(name, metrics);
            }
        }
        finally
        {
            foreach (Process process in Enumerable.Reverse(processes))
            {
                Processes.Stop(process);
                process.Dispose();
            }
        }
    }

    private static string Fill(string query) => query.Replace("$run", "dash-run", StringComparison.Ordinal).Replace("$layer", "1|2|3", StringComparison.Ordinal);

    private static async Task<int> SeriesAsync(HttpClient prometheus, string query)
    {
        string body = await prometheus.GetStringAsync("/api/v1/query?query=" + Uri.EscapeDataString(query));
        using JsonDocument result = JsonDocument.Parse(body);
        return result.RootElement.GetProperty("status").GetString() == "success"
            ? result.RootElement.GetProperty("data").GetProperty("result").EnumerateArray().Count(r => r.TryGetProperty("value", out JsonElement v) && double.TryParse(v[1].GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double x) && !double.IsNaN(x))
            : 0;
    }

    private static async Task PollAsync(Func<Task<bool>> condition, TimeSpan timeout, string failure)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException(failure);
    }

    private static (string Title, string[] Queries)[] Panels(JsonElement dashboard) =>
        dashboard.GetProperty("panels").EnumerateArray().Select(p => (
            p.GetProperty("title").GetString()!,
            p.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!).ToArray())).ToArray();

    [GeneratedRegex(@"\b(pcn|orleans)_[a-z_]+")]
    private static partial Regex MetricName();
}
