namespace Pcn.Silo;

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
}
