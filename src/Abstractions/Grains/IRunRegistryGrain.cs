using Pcn.Abstractions.Messages;

namespace Pcn.Abstractions.Grains;

/// <summary>The cluster's list of runs (key 0), for <c>pcn status</c>.</summary>
public interface IRunRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>Records a run; false if the id is already taken.</summary>
    Task<bool> RegisterAsync(RunRequest request);

    /// <summary>Every run id registered, oldest first.</summary>
    Task<IReadOnlyList<string>> ListAsync();
}
