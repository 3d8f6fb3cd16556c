using System.Diagnostics;
using System.Text;

namespace Pcn.Client.Tests;

/// <summary>
/// A real redis-server and <c>pcn-silo</c> processes with Redis clustering and grain storage on free loopback ports,
/// sharing one checkpoint directory, with failure detection tuned short (as a test may); everything is stopped by PID.
/// Each process's output is drained (a full pipe would stall it) and its last lines kept for failure messages.
/// </summary>
internal sealed class LocalCluster : IAsyncDisposable
{
    private const string RedisServer = "/usr/bin/redis-server";

    private readonly List<Silo> _silos = [];
    private Process? _redis;

    private LocalCluster(string directory) => Directory = directory;

    /// <summary>The directory holding checkpoints, the silos' working directories and Redis's files.</summary>
    public string Directory { get; }

    /// <summary>The Redis port.</summary>
    public int RedisPort { get; private set; }

    /// <summary>The silos started, in order.</summary>
    public IReadOnlyList<Silo> Silos => _silos;

    /// <summary>Every live silo's gateway, as a --cluster list.</summary>
    public string Gateways => string.Join(',', _silos.Where(s => !s.Process.HasExited).Select(s => $"127.0.0.1:{s.GatewayPort}"));

    /// <summary>Starts Redis and <paramref name="silos"/> silos and waits until every one is healthy.</summary>
    public static async Task<LocalCluster> StartAsync(int silos, double probeTimeoutSeconds = 1)
    {
        Assert.True(File.Exists(RedisServer), $"{RedisServer} is missing: install Debian's redis-server (scripts/install-deps.sh does).");
        var cluster = new LocalCluster(System.IO.Directory.CreateTempSubdirectory("pcn-cluster-").FullName);
        try
        {
            await cluster.StartRedisAsync();
            for (int i = 0; i < silos; i++)
            {
                await cluster.StartSiloAsync(probeTimeoutSeconds);
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>Starts (or restarts, on the same port and with an empty data set) the Redis server.</summary>
    public async Task StartRedisAsync()
    {
        RedisPort = RedisPort == 0 ? Processes.FreePort() : RedisPort;
        _redis = Process.Start(new ProcessStartInfo(RedisServer)
        {
            ArgumentList = { "--port", $"{RedisPort}", "--bind", "127.0.0.1", "--save", string.Empty, "--appendonly", "no", "--dir", Directory },
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("redis-server did not start");
        _redis.OutputDataReceived += (_, _) => { };
        _redis.BeginOutputReadLine();
        await WaitForPortAsync(RedisPort, TimeSpan.FromSeconds(20));
    }

    /// <summary>Kills Redis (-9).</summary>
    public void KillRedis()
    {
        _redis?.Kill();
        _redis?.WaitForExit(10_000);
    }

    /// <summary>Starts one more silo and waits for /health.</summary>
    public async Task<Silo> StartSiloAsync(double probeTimeoutSeconds = 1)
    {
        int siloPort = Processes.FreePort(), gatewayPort = Processes.FreePort(), http = Processes.FreePort();
        string workingDirectory = System.IO.Directory.CreateDirectory(Path.Combine(Directory, $"silo-{siloPort}")).FullName;
        Process process = Processes.Start(
            Processes.Silo,
            ["--clustering", "redis", "--redis", $"127.0.0.1:{RedisPort}", "--silo-port", $"{siloPort}", "--gateway-port", $"{gatewayPort}", "--http-port", $"{http}",
                "--checkpoint-dir", Path.Combine(Directory, "checkpoints"), "--probe-timeout", probeTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)],
            workingDirectory);
        var silo = new Silo(process, siloPort, gatewayPort, http);
        process.OutputDataReceived += (_, e) => silo.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => silo.Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _silos.Add(silo);
        await WaitHealthyAsync(silo, TimeSpan.FromSeconds(60));
        return silo;
    }

    /// <summary>The silo whose silo endpoint is "127.0.0.1:port".</summary>
    public Silo SiloAt(string endpoint) => _silos.Single(s => endpoint.EndsWith($":{s.SiloPort}", StringComparison.Ordinal));

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        foreach (Silo silo in _silos)
        {
            Processes.Stop(silo.Process);
            silo.Process.Dispose();
        }

        if (_redis is not null)
        {
            Processes.Stop(_redis);
            _redis.Dispose();
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a process that is going away; the temporary directory is left behind.
        }

        return ValueTask.CompletedTask;
    }

    private static async Task WaitHealthyAsync(Silo silo, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        DateTime deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (silo.Process.HasExited)
            {
                throw new InvalidOperationException($"The silo on port {silo.SiloPort} exited with code {silo.Process.ExitCode}: {silo.Tail}");
            }

            try
            {
                if (await http.GetStringAsync($"http://127.0.0.1:{silo.HttpPort}/health") == "healthy")
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not up yet
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The silo on port {silo.SiloPort} did not become healthy within {timeout}: {silo.Tail}");
    }

    /// <summary>Waits until something listens on 127.0.0.1:<paramref name="port"/>.</summary>
    public static async Task WaitForPortAsync(int port, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
                return;
            }
            catch (System.Net.Sockets.SocketException)
            {
                await Task.Delay(100);
            }
        }

        throw new TimeoutException($"Nothing listened on 127.0.0.1:{port} within {timeout}.");
    }

    /// <summary>One silo process.</summary>
    internal sealed class Silo(Process process, int siloPort, int gatewayPort, int httpPort)
    {
        private readonly Queue<string> _tail = new();

        public Process Process { get; } = process;

        public int SiloPort { get; } = siloPort;

        public int GatewayPort { get; } = gatewayPort;

        public int HttpPort { get; } = httpPort;

        public string Tail
        {
            get
            {
                lock (_tail)
                {
                    return string.Join('\n', _tail);
                }
            }
        }

        public void Kill()
        {
            Process.Kill();
            Process.WaitForExit(10_000);
        }

        public void Keep(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_tail)
            {
                _tail.Enqueue(line);
                while (_tail.Count > 40)
                {
                    _tail.Dequeue();
                }
            }
        }
    }
}
