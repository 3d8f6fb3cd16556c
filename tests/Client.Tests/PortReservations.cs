using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Pcn.Client.Tests;

/// <summary>
/// Loopback ports for the processes a test starts, chosen so that nothing can take them between the choice and the
/// process binding them. A port the kernel handed out for port 0 is in the ephemeral range, where any outgoing
/// connection (a client to Redis, a silo to its gateway) may be given it the next moment; these come from below that
/// range, which the kernel never hands out by itself. Test processes on the machine (the test projects, a second
/// checkout's tests) keep out of each other's way through a lock file per port, held until the process exits; a port
/// is only handed out if it is also free to bind now.
/// </summary>
internal static class PortReservations
{
    private static readonly string LockDirectory = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "pcn-test-ports")).FullName;
    private static readonly List<FileStream> Held = [];
    private static readonly (int First, int Last) Range = BelowEphemeral();
    private static int _next = Range.First + (Environment.ProcessId % (Range.Last - Range.First));

    /// <summary>A free loopback port reserved for this process until it exits.</summary>
    public static int Reserve()
    {
        lock (Held)
        {
            for (int tried = 0; tried <= Range.Last - Range.First; tried++)
            {
                int port = _next;
                _next = _next >= Range.Last ? Range.First : _next + 1;
                if (TryLock(port) is FileStream held)
                {
                    if (CanBind(port))
                    {
                        Held.Add(held);
                        return port;
                    }

                    held.Dispose();
                }
            }
        }

        throw new InvalidOperationException($"No free loopback port in {Range.First}–{Range.Last} (locks in {LockDirectory}).");
    }

    /// <summary>The lock on <paramref name="port"/>, or null when another process holds it.</summary>
    private static FileStream? TryLock(int port)
    {
        try
        {
            // FileShare.None is an exclusive advisory lock (flock) on Unix: another test process opening it fails.
            return new FileStream(Path.Combine(LockDirectory, port.ToString(CultureInfo.InvariantCulture)), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static bool CanBind(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The ports from 20000 up to just below the kernel's ephemeral range (or above it, if it starts low).</summary>
    private static (int First, int Last) BelowEphemeral()
    {
        const string Setting = "/proc/sys/net/ipv4/ip_local_port_range";
        string[] bounds = File.Exists(Setting) ? File.ReadAllText(Setting).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries) : ["32768", "60999"];
        int low = int.Parse(bounds[0], CultureInfo.InvariantCulture), high = int.Parse(bounds[1], CultureInfo.InvariantCulture);
        return low > 21000 ? (20000, low - 1) : (high + 1, 65535);
    }
}
