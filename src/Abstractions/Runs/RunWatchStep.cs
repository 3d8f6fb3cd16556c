using Pcn.Abstractions.Messages;

namespace Pcn.Abstractions.Runs;

/// <summary>What one poll of a <see cref="RunWatcher"/> saw.</summary>
/// <param name="Snapshot">The newest snapshot (the last one received, when the run did not answer).</param>
/// <param name="NewEvents">The run's events not reported before (a lost silo, a resume), oldest first.</param>
/// <param name="Contact">Whether the poll reached the run.</param>
/// <param name="Failure">Why the run did not answer; null when it did.</param>
/// <param name="CancelSent">True on the poll that forwarded a stop request to the run.</param>
public sealed record RunWatchStep(RunSnapshot Snapshot, IReadOnlyList<RunEvent> NewEvents, RunContact Contact, Exception? Failure, bool CancelSent)
{
    /// <summary>True when the run answered this poll: <see cref="Snapshot"/> is new.</summary>
    public bool Reached => Contact is RunContact.Kept or RunContact.Regained;
}
