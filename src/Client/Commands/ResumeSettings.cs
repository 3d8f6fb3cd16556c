using System.CommandLine;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;
using Pcn.Client.CommandLine;

namespace Pcn.Client.Commands;

/// <summary>
/// `pcn train --resume ID`: the run's own configuration is kept (it is stored with the run), so only where it runs
/// and how it is shown may be given.
/// </summary>
public sealed record ResumeSettings(string RunId, string? Cluster, string RunsDirectory, bool Quiet, int MetricsPort, string Backend)
{
    /// <summary>Reads and checks the options; any option that would change the run is refused.</summary>
    public static ResumeSettings Parse(ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        string runId = result.GetValue(TrainOptions.Resume) ?? throw new InvalidOptionException("--resume", "(missing)", "name the run to resume (see `pcn status`)");
        RunIds.Validate(runId, "--resume");
        string? cluster = CommonOptions.ReadCluster(result);
        int metricsPort = CommonOptions.ReadMetricsPort(result);

        string backend = result.GetValue(TrainOptions.Backend) ?? "cpu";
        if (backend is not ("cpu" or "cuda"))
        {
            throw new InvalidOptionException("--backend", backend, "allowed values are cpu, cuda");
        }

        string runs = CommonOptions.ReadRunsDirectory(result);

        var settings = new ResumeSettings(runId, cluster, runs, result.GetValue(CommonOptions.Quiet), metricsPort, backend);
        Option? changes = TrainOptions.All.Except(TrainOptions.ResumeOptions).FirstOrDefault(o => result.GetResult(o) is { Implicit: false });
        if (changes is not null)
        {
            throw new InvalidOptionException(changes.Name, "(given)", "is not an option of `pcn train --resume` (the run keeps the options it was started with); see `pcn train --help`");
        }

        Output.OutputDirectory.RequireWritable(runs, "--runs-dir");
        return settings;
    }
}
