using Pcn.Abstractions.Grains;
using Pcn.Abstractions.Messages;

namespace Pcn.Grains.Coordination;

/// <summary>The cluster's list of runs (in memory: it lives as long as the cluster).</summary>
public sealed class RunRegistryGrain : Grain, IRunRegistryGrain
{
    private readonly List<string> _runs = [];

    /// <inheritdoc/>
    public Task<bool> RegisterAsync(RunRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_runs.Contains(request.RunId))
        {
            return Task.FromResult(false);
        }

        _runs.Add(request.RunId);
        return Task.FromResult(true);
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>([.. _runs]);
}
