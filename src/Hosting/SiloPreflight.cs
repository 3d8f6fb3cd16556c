using System.Net;
using System.Net.Sockets;

namespace Pcn.Hosting;

/// <summary>
/// What pcn-silo checks of its machine before it starts Orleans: each of its ports can be bound on its address, and a
/// Redis it clusters through accepts connections. Orleans would otherwise fail later, with a stack trace in its logs,
/// or keep retrying Redis without saying why. A failure here is the environment's (exit 1), named in one line.
/// </summary>
public static class SiloPreflight
{
    /// <summary>How long Redis may take to accept a connection (a container started beside the silo needs a moment).</summary>
    public static readonly TimeSpan RedisWait = TimeSpan.FromSeconds(3);

    /// <summary>Throws <see cref="IOException"/> naming the first port that cannot be bound (in use, or an address not on this machine).</summary>
    public static void RequireFreePorts(SiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        (string Flag, int Port)[] ports = [("--silo-port", options.SiloPort), ("--gateway-port", options.GatewayPort), ("--http-port", options.HttpPort)];
        foreach ((string flag, int port) in ports.Where(p => p.Port != 0))
        {
            try
            {
                using var listener = new TcpListener(options.IPAddress, port);
                listener.Start();
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressNotAvailable)
            {
                throw new IOException($"--address {options.Address}: this machine has no such address to listen on ({e.Message}); use one of its own, or 0.0.0.0", e);
            }
            catch (SocketException e)
            {
                throw new IOException($"{flag} {port} cannot be used on {options.Address} ({e.Message}): is another silo or program using it? Choose another port", e);
            }
        }
    }

    /// <summary>
    /// Throws <see cref="IOException"/> when no endpoint of the Redis connection string accepts a TCP connection within
    /// <see cref="RedisWait"/>.
    /// </summary>
    public static async Task RequireRedisReachableAsync(SiloOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Clustering != "redis")
        {
            return;
        }

        IReadOnlyList<EndPoint> endpoints = SiloOptions.RedisEndpoints(options.Redis!);
        DateTime deadline = DateTime.UtcNow + RedisWait;
        string fault = "no answer";
        do
        {
            foreach (EndPoint endpoint in endpoints)
            {
                using var client = new TcpClient();
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                try
                {
                    await (endpoint switch
                    {
                        DnsEndPoint dns => client.ConnectAsync(dns.Host, dns.Port, timeout.Token),
                        IPEndPoint ip => client.ConnectAsync(ip, timeout.Token),
                        _ => ValueTask.CompletedTask,
                    });
                    return;
                }
                catch (SocketException e)
                {
                    fault = e.Message;
                }
                catch (OperationCanceledException)
                {
                    fault = "no answer within 1 s";
                }
            }

            await Task.Delay(250);
        }
        while (DateTime.UtcNow < deadline);

        throw new IOException($"--redis {options.Redis}: Redis is unreachable ({fault}; tried for {RedisWait.TotalSeconds:0} s). Is it running, and is host:port right?");
    }
}
