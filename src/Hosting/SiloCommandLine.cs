using Pcn.Abstractions.Options;

namespace Pcn.Hosting;

/// <summary>Command-line flags of pcn-silo, mapped onto the "Pcn:Silo" configuration section.</summary>
public static class SiloCommandLine
{
    /// <summary>Flag → configuration key.</summary>
    public static IDictionary<string, string> Switches { get; } = new Dictionary<string, string>
    {
        ["--clustering"] = "Pcn:Silo:Clustering",
        ["--address"] = "Pcn:Silo:Address",
        ["--silo-port"] = "Pcn:Silo:SiloPort",
        ["--gateway-port"] = "Pcn:Silo:GatewayPort",
        ["--primary-silo-port"] = "Pcn:Silo:PrimarySiloPort",
        ["--http-port"] = "Pcn:Silo:HttpPort",
        ["--redis"] = "Pcn:Silo:Redis",
        ["--cluster-id"] = "Pcn:Silo:ClusterId",
        ["--service-id"] = "Pcn:Silo:ServiceId",
        ["--backend"] = "Pcn:Silo:Backend",
        ["--checkpoint-dir"] = "Pcn:Silo:CheckpointDir",
        ["--state-dir"] = "Pcn:Silo:StateDir",
        ["--probe-timeout"] = "Pcn:Silo:ProbeTimeout",
    };

    /// <summary>The flag that sets configuration key <paramref name="key"/> (a SiloOptions property name), for messages.</summary>
    public static string FlagOf(string key) => Switches.FirstOrDefault(s => s.Value.EndsWith(":" + key, StringComparison.Ordinal)).Key ?? key;

    /// <summary>
    /// Throws <see cref="InvalidOptionException"/> for an argument that is not "--flag value" or "--flag=value" with a
    /// known flag, for a flag without its value, and for a flag given twice. The configuration's own command-line
    /// reader takes any "--key value" as a setting, so a misspelt flag (<c>--gateway-prot</c>) would be silently
    /// ignored and the silo would start on the default port.
    /// </summary>
    public static void Check(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            int equals = arg.IndexOf('=', StringComparison.Ordinal);
            string name = equals > 0 ? arg[..equals] : arg;
            if (!Switches.ContainsKey(name))
            {
                throw new InvalidOptionException(name, "(given)", $"is not an option of pcn-silo; the options are {string.Join(", ", Switches.Keys)} (see pcn-silo --help)");
            }

            if (equals < 0)
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new InvalidOptionException(name, "(missing)", "needs a value");
                }

                i++;
            }

            if (!seen.Add(name))
            {
                throw new InvalidOptionException(name, "(given twice)", "give each option once");
            }
        }
    }

    /// <summary>The usage, for --help.</summary>
    public const string Usage = """
        pcn-silo — one silo of a Pcn cluster. Flags override src/Silo/appsettings.json and Pcn__Silo__* environment variables.
          --clustering localhost|redis (localhost)   --address IP (127.0.0.1; 0.0.0.0 listens everywhere)
          --silo-port P (11111)  --gateway-port P (30000)  --http-port P (8080; 0 = a free one)
          --primary-silo-port P (localhost clustering: the first silo's silo port; 0 = this silo is the first)
          --redis host:port (redis clustering)  --cluster-id ID (pcn)  --service-id ID (pcn)  --backend cpu|cuda (cpu)
        """;
}
