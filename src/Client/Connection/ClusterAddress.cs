using System.Globalization;
using System.Net;
using Pcn.Abstractions.Options;

namespace Pcn.Client.Connection;

/// <summary>Gateway endpoints given as "host:port[,host:port...]".</summary>
public static class ClusterAddress
{
    /// <summary>Parses the list; an <see cref="InvalidOptionException"/> names the bad entry.</summary>
    public static IReadOnlyList<IPEndPoint> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var endpoints = new List<IPEndPoint>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int colon = part.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(part[(colon + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
            {
                throw new InvalidOptionException("--cluster", $"'{part}'", "must be gateway endpoints host:port[,host:port], e.g. 127.0.0.1:30000");
            }

            string host = part[..colon].Trim('[', ']');
            IPAddress? address = IPAddress.TryParse(host, out IPAddress? parsed) ? parsed
                : host == "localhost" ? IPAddress.Loopback
                : Resolve(host) ?? throw new InvalidOptionException("--cluster", $"'{part}'", "the host name does not resolve");
            endpoints.Add(new IPEndPoint(address, port));
        }

        return endpoints.Count > 0 ? endpoints : throw new InvalidOptionException("--cluster", $"'{text}'", "must name at least one gateway host:port");
    }

    private static IPAddress? Resolve(string host)
    {
        try
        {
            return Dns.GetHostAddresses(host).FirstOrDefault();
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or ArgumentException)
        {
            // An unknown name, or one that is not a host name at all ("a b"): either way, not an address to use.
            return null;
        }
    }
}
