using Pcn.Abstractions.Grains;
using Pcn.Abstractions.Messages;
using Pcn.Grains.Persistence;

namespace Pcn.Grains.Coordination;

/// <summary>The cluster's list of runs, with each run's last known state, in grain storage.</summary>
internal sealed class RunRegistryGrain([PersistentState("registry", PcnStorage.Name)] IPersistentState<RunRegistryRecord> stored) : Grain, IRunRegistryGrain
{
    /// <inheritdoc/>
    public async Task<bool> RegisterAsync(RunRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (stored.State.Runs.Exists(r => r.RunId == request.RunId))
        {
            return false;
        }

        stored.State.Runs.Add(new RegisteredRun(request.RunId, RunState.Pending));
        await stored.WriteStateAsync();
        return true;
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>([.. stored.State.Runs.Select(r => r.RunId)]);

    /// <inheritdoc/>
    public async Task SetStateAsync(string runId, RunState state)
    {
        int index = stored.State.Runs.FindIndex(r => r.RunId == runId);
        if (index < 0 || stored.State.Runs[index].State == state)
        {
            return;
        }

        stored.State.Runs[index] = new RegisteredRun(runId, state);
        await stored.WriteStateAsync();
    }

    /// <inheritdoc/>
    public async Task RemoveAsync(string runId)
    {
        if (stored.State.Runs.RemoveAll(r => r.RunId == runId) > 0)
        {
            await stored.WriteStateAsync();
        }
    }

    /// <inheritdoc/>
    public async Task WakeRunningAsync()
    {
        // A call activates the coordinator if it is not active; one that comes back from storage as running resumes.
        foreach (RegisteredRun run in stored.State.Runs.Where(r => r.State == RunState.Running).ToArray())
        {
            try
            {
                await GrainFactory.GetGrain<ITrainingCoordinatorGrain>(run.RunId).GetSnapshotAsync(int.MaxValue);
            }
            catch (Exception e) when (e is InvalidOperationException or OrleansException or TimeoutException)
            {
                // A run that cannot be woken now (its silo is being declared dead) is tried again on the next round.
            }
        }
    }
}

/// <summary>The registry as stored.</summary>
[GenerateSerializer]
[Alias("pcn.run-registry-record")]
internal sealed class RunRegistryRecord
{
    /// <summary>Runs, oldest first.</summary>
    [Id(0)]
    public List<RegisteredRun> Runs { get; set; } = [];
}

/// <summary>A run id and its last known state.</summary>
/// <param name="RunId">The run.</param>
/// <param name="State">Its state as its coordinator last reported it.</param>
[GenerateSerializer]
[Immutable]
[Alias("pcn.registered-run")]
internal sealed record RegisteredRun([property: Id(0)] string RunId, [property: Id(1)] RunState State);
