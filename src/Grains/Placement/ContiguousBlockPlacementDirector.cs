using Orleans.Runtime.Placement;
using Pcn.Abstractions.Grains;

namespace Pcn.Grains.Placement;

/// <summary>Chooses the silo of a layer grain from its key "{run}/{ℓ}/{L}" (see <see cref="ContiguousBlockPlacement"/>).</summary>
internal sealed class ContiguousBlockPlacementDirector : IPlacementDirector
{
    /// <inheritdoc/>
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        SiloAddress[] silos = context.GetCompatibleSilos(target).OrderBy(s => s.ToString(), StringComparer.Ordinal).ToArray();
        if (silos.Length == 0)
        {
            throw new OrleansException($"No silo can host {target.GrainIdentity}.");
        }

        (_, int layer, int layerCount) = LayerKeys.Parse(target.GrainIdentity.Key.ToString()!);
        int index = (int)((long)(layer - 1) * silos.Length / layerCount);
        return Task.FromResult(silos[index]);
    }
}
