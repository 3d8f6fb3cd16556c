using System.Diagnostics;
using System.Text.Json;

namespace Pcn.Client.Tests;

/// <summary>
/// Silos that find each other through Redis (as on several machines): a real redis-server (Debian's package) on a free
/// loopback port, two silo processes with Redis clustering, and the client training through one gateway.
/// </summary>
public sealed class RedisClusterTests
{
    private const string RedisServer = "/usr/bin/redis-server";

    [Fact]
    public async Task RedisClusteredSilos_TrainARun_WithLayersOnBoth()
    {
        Assert.True(File.Exists(RedisServer), $"{RedisServer} is missing: install Debian's redis-server (scripts/install-deps.sh does).");
        string runs = Directory.CreateTempSubdirectory("pcn-redis").FullName;
        int redisPort = Processes.FreePort();
        var processes = new List<Process>();
        try
        {
            var redis = Process.Start(new ProcessStartInfo(RedisServer)
            {
                ArgumentList = { "--port", $"{redisPort}", "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no", "--dir", runs },
                RedirectStandardOutput = true,
                UseShellExecute = false,
            }) ?? throw new InvalidOperationException("redis-server did not start");
            processes.Add(redis);
            await LocalCluster.WaitForPortAsync(redisPort, TimeSpan.FromSeconds(20));

            int gateway = 0, health = 0;
            for (int i = 0; i < 2; i++)
            {
                int siloPort = Processes.FreePort(), http = Processes.FreePort();
                int gatewayPort = Processes.FreePort();
                gateway = i == 0 ? gatewayPort : gateway;
                health = i == 0 ? http : health;
                Process silo = Processes.Start(Processes.Silo, ["--clustering", "redis", "--redis", $"127.0.0.1:{redisPort}", "--silo-port", $"{siloPort}", "--gateway-port", $"{gatewayPort}", "--http-port", $"{http}", "--cluster-id", "pcn"]);
                processes.Add(silo);
                await Processes.WaitHealthyAsync(http, silo, TimeSpan.FromSeconds(60));
            }

            // The second silo has joined once the membership table lists two active silos; a short run then spans both.
            (int code, string output, string error) = await Processes.RunAsync(
                Processes.Pcn, ["train", "--cluster", $"127.0.0.1:{gateway}", "--run-id", "redis-run", "--runs-dir", runs, "--depth", "3", "--width", "16", "--batch-limit", "4", "--test-every", "4", "--limit-train", "512", "--limit-test", "128", "--quiet"], TimeSpan.FromMinutes(3));

            Assert.True(code == 0, $"exit {code}: {output}{error}");
            using JsonDocument results = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(runs, "redis-run", "results.json")));
            Assert.Equal("completed", results.RootElement.GetProperty("state").GetString());
            Assert.Equal(2, results.RootElement.GetProperty("placement").EnumerateArray().Select(p => p.GetProperty("silo").GetString()).Distinct().Count());

            // Without its membership store a silo is not healthy, and /health says why.
            Processes.Stop(redis);
            using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            HttpResponseMessage answer = await probe.GetAsync($"http://127.0.0.1:{health}/health");
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, answer.StatusCode);
            Assert.Contains($"Redis at 127.0.0.1:{redisPort}", await answer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
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
}
