using Orleans.Placement;

namespace Pcn.Grains.Placement;

/// <summary>Marks a grain class for <see cref="ContiguousBlockPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ContiguousBlockPlacementAttribute : PlacementAttribute
{
    /// <summary>Creates the attribute.</summary>
    public ContiguousBlockPlacementAttribute()
        : base(ContiguousBlockPlacement.Instance)
    {
    }
}
