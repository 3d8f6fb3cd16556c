using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Pcn.Grains.Hosting;

namespace Pcn.Silo;

/// <summary>Configures a Pcn silo on a web host: Orleans with Pcn's grains, clustering, and /health.</summary>
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
            if (options.Clustering == "redis")
            {
                silo.UseRedisClustering(options.Redis!);
                silo.ConfigureEndpoints(options.IPAddress, options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: false);
            }
            else
            {
                IPEndPoint? primary = options.PrimarySiloPort == 0 ? null : new IPEndPoint(options.IPAddress, options.PrimarySiloPort);
                silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, primary, options.ServiceId, options.ClusterId);
                silo.Configure<EndpointOptions>(o => o.AdvertisedIPAddress = options.IPAddress);
            }

            silo.AddPcnGrains();
        });
        // Port 0 lets the system choose a free port (the embedded silo of `pcn train` uses it).
        builder.WebHost.UseUrls($"http://{FormatHost(options.IPAddress)}:{options.HttpPort}");

        return builder;
    }

    /// <summary>Maps /health: 200 with "healthy" once the silo is up.</summary>
    public static WebApplication MapPcnEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/health", () => Results.Text("healthy"));
        return app;
    }

    private static string FormatHost(IPAddress address) => address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
}
