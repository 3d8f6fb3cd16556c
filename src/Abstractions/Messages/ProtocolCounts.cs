namespace Pcn.Abstractions.Messages;

/// <summary>
/// What a run's training batches cost in messages, counted (not estimated) by the coordinator over all batches so
/// far; divide by <see cref="Batches"/> for the per-batch protocol. Evaluations are not included.
/// </summary>
/// <param name="Batches">Training batches counted.</param>
/// <param name="CoordinatorCalls">Calls from the coordinator to layer grains (batch commands, commits).</param>
/// <param name="LayerReports">Reports from layer grains to the coordinator.</param>
/// <param name="LocalMessages">Neighbour messages handed over through a silo's exchange.</param>
/// <param name="RemoteMessages">Neighbour messages sent as Orleans messages between silos.</param>
/// <param name="Barriers">Points where the coordinator waited for every layer before going on.</param>
[GenerateSerializer]
[Immutable]
[Alias("pcn.protocol-counts")]
public sealed record ProtocolCounts(
    [property: Id(0)] long Batches,
    [property: Id(1)] long CoordinatorCalls,
    [property: Id(2)] long LayerReports,
    [property: Id(3)] long LocalMessages,
    [property: Id(4)] long RemoteMessages,
    [property: Id(5)] long Barriers)
{
    /// <summary>None yet.</summary>
    public static ProtocolCounts Zero { get; } = new(0, 0, 0, 0, 0, 0);

    /// <summary>All neighbour messages.</summary>
    public long NeighbourMessages => LocalMessages + RemoteMessages;
}
