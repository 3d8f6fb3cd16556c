using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Pcn.Abstractions.Messages;
using Pcn.Grains.Coordination;
using Pcn.Hosting;

namespace Pcn.Client.Connection;

/// <summary>
/// Where the client's grain calls go: a silo hosted in this process (no cluster address given), or a cluster reached
/// through its gateways. Disposing it stops the embedded silo or disconnects the client.
/// </summary>
public sealed class ClusterConnection : IAsyncDisposable
{
    /// <summary>Where the embedded silo keeps its runs' records, inside the runs directory.</summary>
    public const string StateDirectoryName = ".state";

    /// <summary>How long the client keeps trying to reach a cluster before it gives up with an error.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(15);

    private readonly IHost _host;

    private ClusterConnection(IHost host, IGrainFactory grains, string description, string? httpAddress)
    {
        _host = host;
        Grains = grains;
        Description = description;
        HttpAddress = httpAddress;
    }

    /// <summary>The grain factory.</summary>
    public IGrainFactory Grains { get; }

    /// <summary>"embedded silo on 127.0.0.1:…" or "cluster at …".</summary>
    public string Description { get; }

    /// <summary>The embedded silo's HTTP address (for /health), if any.</summary>
    public string? HttpAddress { get; }

    /// <summary>
    /// Starts a single silo in this process on free loopback ports (HTTP on <paramref name="httpPort"/> unless 0),
    /// computing on <paramref name="backend"/> ("cpu" or "cuda"). The data set of <paramref name="data"/> starts
    /// loading into the silo's cache at once, alongside the silo's own start (each takes most of a second).
    /// </summary>
    /// <remarks>
    /// The silo keeps its runs in <paramref name="runsDirectory"/>: checkpoints beside each run's results.json, and the
    /// runs' records and the registry under .state, so a later `pcn` (status, eval, export, train --resume) finds them.
    /// </remarks>
    public static async Task<ClusterConnection> StartEmbeddedAsync(int httpPort, string backend, DataSource? data, string runsDirectory, CancellationToken cancellation)
    {
        var options = new Pcn.Hosting.SiloOptions
        {
            SiloPort = FreePort(),
            GatewayPort = FreePort(),
            HttpPort = httpPort == 0 ? FreePort() : httpPort,
            Backend = backend,
            CheckpointDir = runsDirectory,
            StateDir = Path.Combine(runsDirectory, StateDirectoryName),
            Embedded = true,
        };
        options.Validate();
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        // The console belongs to the progress display: only warnings and errors from the silo.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Pcn"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
            ["Logging:LogLevel:Orleans.Runtime.Silo"] = "Error",
            // On a machine whose cores all train, these report the training itself (a coordinator turn that reads the
            // dataset, a starved watchdog thread), not a fault; a standalone pcn-silo still logs them.
            ["Logging:LogLevel:Orleans.Runtime.Watchdog"] = "Error",
            ["Logging:LogLevel:Orleans.Runtime.Scheduler.WorkItemGroup"] = "Error",
        });
        builder.AddPcnSilo(options);

        // The silo and the HTTP server (/metrics, /health) start side by side: the first batch waits for the silo only.
        builder.Services.Configure<HostOptions>(o => o.ServicesStartConcurrently = true);
        WebApplication app = builder.Build();
        if (data is not null)
        {
            // A failed load is not remembered by the cache: the run's own request reports it, with the file named.
            DatasetCache cache = app.Services.GetRequiredService<DatasetCache>();
            _ = Task.Run(() => cache.Get(data)).ContinueWith(t => t.Exception, TaskScheduler.Default);
        }

        app.MapPcnEndpoints();
        await app.StartAsync(cancellation);
        return new ClusterConnection(app, app.Services.GetRequiredService<IGrainFactory>(), $"embedded silo on 127.0.0.1:{options.SiloPort} ({backend})", $"http://127.0.0.1:{options.HttpPort}");
    }

    /// <summary>
    /// Connects to a cluster's gateways (cluster and service id <see cref="Pcn.Hosting.SiloOptions.DefaultId"/>), giving up after
    /// <see cref="ConnectTimeout"/> with a clear error.
    /// </summary>
    public static async Task<ClusterConnection> ConnectAsync(string address, CancellationToken cancellation)
    {
        const string clusterId = Pcn.Hosting.SiloOptions.DefaultId, serviceId = Pcn.Hosting.SiloOptions.DefaultId;
        IReadOnlyList<IPEndPoint> gateways = ClusterAddress.Parse(address);
        await RequireListeningAsync(address, gateways, cancellation);
        DateTime deadline = DateTime.UtcNow + ConnectTimeout;
        IHost host = Host.CreateDefaultBuilder()
            .ConfigureLogging(logging => logging.ClearProviders())
            .UseOrleansClient(client => client
                .UseStaticClustering([.. gateways])
                // A call caught in a gateway that died fails after this, and the client tries again through another.
                .Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(20))
                .Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = clusterId;
                    o.ServiceId = serviceId;
                })
                .UseConnectionRetryFilter(async (exception, token) =>
                {
                    if (DateTime.UtcNow >= deadline)
                    {
                        return false;
                    }

                    await Task.Delay(500, token);
                    return true;
                }))
            .Build();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        timeout.CancelAfter(ConnectTimeout + TimeSpan.FromSeconds(2));
        try
        {
            await host.StartAsync(timeout.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellation.IsCancellationRequested)
        {
            host.Dispose();
            throw new ClusterUnreachableException($"Could not reach the Pcn cluster at {address} within {ConnectTimeout.TotalSeconds:0} s ({e.GetBaseException().Message}). Is a silo running there (scripts/cluster.sh start), and is the address its gateway port?", e);
        }

        return new ClusterConnection(host, host.Services.GetRequiredService<IClusterClient>(), $"cluster at {address}", null);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await _host.StopAsync(timeout.Token);
        }
        finally
        {
            _host.Dispose();
        }
    }

    /// <summary>
    /// Fails at once, rather than after <see cref="ConnectTimeout"/>, when no gateway accepts a TCP connection: nothing
    /// listens there, so the Orleans client's retries cannot succeed either. A gateway that accepts goes on to Orleans.
    /// </summary>
    private static async Task RequireListeningAsync(string address, IReadOnlyList<IPEndPoint> gateways, CancellationToken cancellation)
    {
        var faults = new List<string>();
        foreach (IPEndPoint gateway in gateways)
        {
            using var client = new TcpClient(gateway.AddressFamily);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            try
            {
                await client.ConnectAsync(gateway, timeout.Token);
                return;
            }
            catch (SocketException e)
            {
                faults.Add($"{gateway}: {e.Message}");
            }
            catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
            {
                faults.Add($"{gateway}: no answer within 3 s");
            }
        }

        throw new ClusterUnreachableException($"Could not reach the Pcn cluster at {address}: no gateway accepts connections ({string.Join("; ", faults)}). Is a silo running there (scripts/cluster.sh start), and is the address its gateway port?", null);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
