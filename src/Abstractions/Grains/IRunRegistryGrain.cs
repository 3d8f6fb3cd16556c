using Pcn.Abstractions.Messages;

namespace Pcn.Abstractions.Grains;

/// <summary>
/// The cluster's list of runs (key 0), kept in grain storage so that it survives the loss of any silo and a restart
/// of the whole cluster: <c>pcn status</c> lists it, and every silo's run keeper asks it to wake the coordinators of
/// runs that were training when their silo went away.
/// </summary>
public interface IRunRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>Records a run; false if the id is already taken.</summary>
    Task<bool> RegisterAsync(RunRequest request);

    /// <summary>Every run id registered and not dropped, oldest first.</summary>
    Task<IReadOnlyList<string>> ListAsync();

    /// <summary>Records the run's state (the coordinator reports every change).</summary>
    Task SetStateAsync(string runId, RunState state);

    /// <summary>Forgets a dropped run; its id may be used again.</summary>
    Task RemoveAsync(string runId);

    /// <summary>
    /// Activates the coordinator of every run recorded as training, so that a coordinator whose silo died comes back
    /// from storage on a live silo and resumes its run from the last checkpoint.
    /// </summary>
    Task WakeRunningAsync();
}
