using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Orleans.Configuration;
using Pcn.Grains.Diagnostics;
using Pcn.Grains.Hosting;
using Pcn.Grains.Persistence;

namespace Pcn.Hosting;

/// <summary>
/// Configures a Pcn silo on a web host: Orleans with Pcn's grains, clustering, /health, and /metrics (the Pcn meter and
/// Orleans' own meters through the OpenTelemetry Prometheus exporter, with a service.name resource).
/// </summary>
public static class PcnSiloHost
{
    /// <summary>Adds the silo to <paramref name="builder"/> with validated <paramref name="options"/>.</summary>
    public static WebApplicationBuilder AddPcnSilo(this WebApplicationBuilder builder, SiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        options.Validate();
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = options.ClusterId;
                o.ServiceId = options.ServiceId;
            });
            // Failure detection: a silo that misses three probes in a row is voted dead, so a killed silo is noticed in
            // about 3 × ProbeTimeout (Orleans' defaults take longer than a user waiting on a run should).
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(options.ProbeTimeout);
                o.NumMissedProbesLimit = 3;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(Math.Max(2, options.ProbeTimeout * 2));
            });
            // A run must never have two activations of one grain: when a silo dies, Orleans' default directory loses the
            // entries it held, and the next call to a grain still alive elsewhere can make a second activation of it (a
            // second coordinator driving the same layers, or a layer whose old activation still takes its neighbours'
            // messages). The distributed directory keeps every entry through membership changes.
#pragma warning disable ORLEANSEXP003
            silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
            if (options.Clustering == "redis")
            {
                silo.UseRedisClustering(options.Redis!);
                silo.AddRedisGrainStorage(PcnStorage.Name, optionsBuilder => optionsBuilder.Configure<IServiceProvider>((storage, services) =>
                {
                    storage.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(options.Redis!);
                    storage.GrainStorageSerializer = PcnStorage.Serializer(services);
                }));
                if (options.IPAddress.Equals(IPAddress.Any))
                {
                    silo.ConfigureEndpoints(Dns.GetHostName(), options.SiloPort, options.GatewayPort, System.Net.Sockets.AddressFamily.InterNetwork, listenOnAnyHostAddress: true);
                }
                else
                {
                    silo.ConfigureEndpoints(options.IPAddress, options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: false);
                }
            }
            else
            {
                IPEndPoint? primary = options.PrimarySiloPort == 0 ? null : new IPEndPoint(options.IPAddress, options.PrimarySiloPort);
                silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, primary, options.ServiceId, options.ClusterId);
                silo.Configure<EndpointOptions>(o => o.AdvertisedIPAddress = options.IPAddress);
                silo.AddPcnFileStorage(options.StateDir);
            }

            silo.AddPcnGrains(new CheckpointSettings(Path.GetFullPath(options.CheckpointDir), ResumeInterruptedRuns: !options.Embedded), options.Backend);
        });
        builder.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName: "pcn-silo", serviceInstanceId: $"{options.Address}:{options.SiloPort}"))
            .WithMetrics(metrics => metrics
                .AddMeter(MetricNames.Meter, "Microsoft.Orleans")
                .AddPrometheusExporter());

        // Port 0 lets the system choose a free port (the embedded silo of `pcn train` uses it).
        builder.WebHost.UseUrls($"http://{FormatHost(options.IPAddress)}:{options.HttpPort}");

        return builder;
    }

    /// <summary>
    /// Maps /health and /metrics (Prometheus text format). /health answers 200 "healthy" while this silo is an active
    /// member of its cluster and, with Redis clustering, the membership store answers; otherwise 503 with the reason.
    /// </summary>
    public static WebApplication MapPcnEndpoints(this WebApplication app, SiloOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/health", async (IClusterMembershipService membership, ILocalSiloDetails local) =>
        {
            SiloStatus status = membership.CurrentSnapshot.GetSiloStatus(local.SiloAddress);
            if (status != SiloStatus.Active)
            {
                return Results.Text($"unhealthy: this silo is {status.ToString().ToLowerInvariant()} in the cluster's membership", statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            if (options is { Clustering: "redis", Redis: { } redis } && !await RedisAnswersAsync(redis))
            {
                return Results.Text($"unhealthy: the membership store (Redis at {redis}) does not answer", statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            return Results.Text("healthy");
        });
        app.MapPrometheusScrapingEndpoint();
        return app;
    }

    /// <summary>Whether the first endpoint of a StackExchange.Redis connection string accepts a connection within a second.</summary>
    private static async Task<bool> RedisAnswersAsync(string connection)
    {
        EndPoint? endpoint = StackExchange.Redis.ConfigurationOptions.Parse(connection).EndPoints.FirstOrDefault();
        (string host, int port) = endpoint switch
        {
            IPEndPoint ip => (ip.Address.ToString(), ip.Port),
            DnsEndPoint dns => (dns.Host, dns.Port == 0 ? 6379 : dns.Port),
            _ => (string.Empty, 0),
        };
        if (port == 0)
        {
            return false;
        }

        using var client = new System.Net.Sockets.TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            await client.ConnectAsync(host, port, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    private static string FormatHost(IPAddress address) => address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
}
