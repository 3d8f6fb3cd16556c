using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;
using Pcn.Abstractions.Options;
using Pcn.Grains.Hosting;
using StackExchange.Redis;

namespace Pcn.Hosting;

/// <summary>
/// How a silo joins a cluster. Read from the "Pcn:Silo" configuration section (appsettings.json, environment
/// variables such as <c>Pcn__Silo__SiloPort</c>, or flags such as <c>--silo-port</c>), validated before the silo starts.
/// </summary>
public sealed class SiloOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Pcn:Silo";

    /// <summary>"localhost" (silos on this machine) or "redis" (silos on several machines).</summary>
    public string Clustering { get; set; } = "localhost";

    /// <summary>
    /// The address the silo binds to and advertises; 0.0.0.0 listens on every interface and advertises this host's
    /// name (containers, where the address is not known in advance).
    /// </summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>Silo-to-silo port.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Client gateway port.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Localhost clustering: the silo port of the first (primary) silo; 0 means this silo is the primary.</summary>
    public int PrimarySiloPort { get; set; }

    /// <summary>HTTP port for /health (and /metrics); 0 lets the system choose a free one.</summary>
    public int HttpPort { get; set; } = 8080;

    /// <summary>Redis clustering: the StackExchange.Redis connection string.</summary>
    public string? Redis { get; set; }

    /// <summary>"cpu" (the default) or "cuda" (the ILGPU backend on the first CUDA device).</summary>
    public string Backend { get; set; } = "cpu";

    /// <summary>
    /// Where layers write checkpoints. Every silo of a cluster must see the same directory (one machine: the same path;
    /// several machines: a shared file system mounted at the same path), since a layer lost with its silo is restored
    /// on another from the file it wrote.
    /// </summary>
    public string CheckpointDir { get; set; } = "checkpoints";

    /// <summary>
    /// Localhost clustering: where runs and the run registry are stored (files). Redis clustering keeps them in Redis.
    /// Silos of one local cluster share it.
    /// </summary>
    public string StateDir { get; set; } = "state";

    /// <summary>
    /// Failure detection: how long a probe of another silo may take (seconds). A silo that misses three probes in a row
    /// is declared dead, so a killed silo is noticed in about 3× this plus the vote (≈ 15 s at the default of 4).
    /// </summary>
    public double ProbeTimeout { get; set; } = 4;

    /// <summary>
    /// The silo runs inside `pcn` (set by the client, not a flag): a run it finds training in storage was cut off with
    /// an earlier process and waits for `pcn train --resume` instead of resuming by itself.
    /// </summary>
    public bool Embedded { get; set; }

    /// <summary>The cluster id and service id of a silo that is not told otherwise, and the ones `pcn` connects with.</summary>
    public const string DefaultId = "pcn";

    /// <summary>The cluster's id; silos and clients must agree.</summary>
    public string ClusterId { get; set; } = DefaultId;

    /// <summary>The service's id.</summary>
    public string ServiceId { get; set; } = DefaultId;

    /// <summary>The parsed <see cref="Address"/>.</summary>
    public IPAddress IPAddress => IPAddress.Parse(Address);

    /// <summary>Throws <see cref="InvalidOptionException"/> naming the first bad option.</summary>
    public SiloOptions Validate()
    {
        if (Clustering is not ("localhost" or "redis"))
        {
            throw new InvalidOptionException("--clustering", Clustering, "allowed values are localhost, redis");
        }

        if (Backend is not ("cpu" or "cuda"))
        {
            throw new InvalidOptionException("--backend", Backend, "allowed values are cpu, cuda");
        }

        if (Backend == "cuda" && !PcnSiloBuilderExtensions.IsCudaAvailable())
        {
            throw new InvalidOptionException("--backend", Backend, "no CUDA device was found on this machine (is the NVIDIA driver installed?); use --backend cpu");
        }

        if (!IPAddress.TryParse(Address, out _))
        {
            throw new InvalidOptionException("--address", Address, "must be an IP address such as 127.0.0.1");
        }

        Port("--silo-port", SiloPort, allowZero: false);
        Port("--gateway-port", GatewayPort, allowZero: false);
        Port("--primary-silo-port", PrimarySiloPort, allowZero: true);
        Port("--http-port", HttpPort, allowZero: true);
        // One listener per port: equal ports would fail at bind, after Orleans has started.
        RequireDistinct("--gateway-port", GatewayPort, "--silo-port", SiloPort);
        RequireDistinct("--http-port", HttpPort, "--silo-port", SiloPort);
        RequireDistinct("--http-port", HttpPort, "--gateway-port", GatewayPort);
        if (Clustering == "redis" && string.IsNullOrWhiteSpace(Redis))
        {
            throw new InvalidOptionException("--redis", "(empty)", "Redis clustering needs a connection string such as 127.0.0.1:6379");
        }

        if (!double.IsFinite(ProbeTimeout) || ProbeTimeout < 0.2 || ProbeTimeout > 600)
        {
            throw new InvalidOptionException("--probe-timeout", ProbeTimeout.ToString("R", CultureInfo.InvariantCulture), "must be a number of seconds in [0.2, 600]");
        }

        if (string.IsNullOrWhiteSpace(CheckpointDir))
        {
            throw new InvalidOptionException("--checkpoint-dir", "(empty)", "must be a directory every silo of the cluster can write");
        }

        if (string.IsNullOrWhiteSpace(StateDir))
        {
            throw new InvalidOptionException("--state-dir", "(empty)", "must be a directory");
        }

        if (Clustering == "redis")
        {
            RedisEndpoints(Redis!);
        }

        if (string.IsNullOrWhiteSpace(ClusterId) || string.IsNullOrWhiteSpace(ServiceId))
        {
            throw new InvalidOptionException("--cluster-id", ClusterId, "cluster and service ids must not be empty");
        }

        return this;
    }

    /// <summary>
    /// Reads the options from <paramref name="section"/>; a number that does not parse is an
    /// <see cref="InvalidOptionException"/> naming its flag, where the configuration binder would throw its own error.
    /// </summary>
    public static SiloOptions Read(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        foreach (string key in (string[])[nameof(SiloPort), nameof(GatewayPort), nameof(PrimarySiloPort), nameof(HttpPort)])
        {
            string? value = section[key];
            if (value is not null && !int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
            {
                throw new InvalidOptionException(SiloCommandLine.FlagOf(key), $"'{value}'", "must be a port number in [0, 65535]");
            }
        }

        var options = new SiloOptions();
        section.Bind(options);
        return options;
    }

    /// <summary>The endpoints of a StackExchange.Redis connection string ("host:port[,host:port][,option=value]").</summary>
    /// <exception cref="InvalidOptionException">The string does not parse, or names no endpoint.</exception>
    public static IReadOnlyList<EndPoint> RedisEndpoints(string connection)
    {
        ConfigurationOptions parsed;
        try
        {
            parsed = ConfigurationOptions.Parse(connection);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOptionException("--redis", $"'{connection}'", $"must be a Redis address such as 127.0.0.1:6379 ({e.Message.Split('\n')[0].TrimEnd('.')})");
        }

        return parsed.EndPoints.Count > 0
            ? [.. parsed.EndPoints]
            : throw new InvalidOptionException("--redis", $"'{connection}'", "must name a Redis server such as 127.0.0.1:6379");
    }

    private static void RequireDistinct(string option, int value, string other, int otherValue)
    {
        if (value != 0 && value == otherValue)
        {
            throw new InvalidOptionException(option, value.ToString(CultureInfo.InvariantCulture), $"must differ from {other} {otherValue}: each port takes its own listener");
        }
    }

    private static void Port(string option, int value, bool allowZero)
    {
        if (value < (allowZero ? 0 : 1) || value > 65535)
        {
            throw new InvalidOptionException(option, value.ToString(CultureInfo.InvariantCulture), $"must be a port in [{(allowZero ? 0 : 1)}, 65535]");
        }
    }
}
