using System.Globalization;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;
using Pcn.Client.CommandLine;
using Pcn.Client.Connection;

namespace Pcn.Client.Commands;

/// <summary>
/// `pcn train --resume ID`: the run's own configuration is kept (it is stored with the run), so only where it runs
/// and how it is shown may be given.
/// </summary>
public sealed record ResumeSettings(string RunId, string? Cluster, string RunsDirectory, bool Quiet, int MetricsPort, string Backend)
{
    /// <summary>The flags that take no value.</summary>
    public static IReadOnlySet<string> Flags { get; } = new HashSet<string>(StringComparer.Ordinal) { "--quiet" };

    /// <summary>Reads and checks the options; any option that would change the run is refused.</summary>
    public static ResumeSettings Parse(ArgumentReader args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string runId = args.OptionalString("--resume") ?? throw new InvalidOptionException("--resume", "(missing)", "name the run to resume (see `pcn status`)");
        RunIds.Validate(runId, "--resume");
        string? cluster = CommonOptions.Cluster(args);
        int metricsPort = CommonOptions.MetricsPort(args);

        string backend = args.Text("--backend", "cpu");
        if (backend is not ("cpu" or "cuda"))
        {
            throw new InvalidOptionException("--backend", backend, "allowed values are cpu, cuda");
        }

        string runs = CommonOptions.RunsDirectory(args);

        var settings = new ResumeSettings(runId, cluster, runs, args.Flag("--quiet"), metricsPort, backend);
        args.RejectUnknown("train --resume (the run keeps the options it was started with)");
        Output.OutputDirectory.RequireWritable(runs, "--runs-dir");
        return settings;
    }
}
