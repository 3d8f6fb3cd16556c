namespace Pcn.Abstractions.Runs;

/// <summary>
/// A <see cref="RunWatcher"/> could not reach its run for longer than its contact timeout. The run itself goes on in
/// the cluster if the cluster does; only the watching stopped.
/// </summary>
public sealed class RunContactLostException : InvalidOperationException
{
    /// <summary>Creates the exception for run <paramref name="runId"/>, unreachable for <paramref name="timeout"/>.</summary>
    public RunContactLostException(string runId, TimeSpan timeout, Exception inner)
        : base($"Lost contact with run '{runId}' for {timeout.TotalMinutes:0} minutes ({inner?.Message}); it goes on in the cluster if the cluster does: follow it with `pcn attach --run {runId}`.", inner)
    {
        RunId = runId;
    }

    /// <summary>The run that could not be reached.</summary>
    public string RunId { get; }
}
