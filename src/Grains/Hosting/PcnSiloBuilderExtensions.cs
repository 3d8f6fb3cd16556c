using Microsoft.Extensions.DependencyInjection;
using Pcn.GpuKernels.Backends;
using Pcn.GpuKernels.Backends.Cpu;
using Pcn.Grains.Coordination;
using Pcn.Grains.Placement;

namespace Pcn.Grains.Hosting;

/// <summary>Registers what Pcn's grains need on a silo.</summary>
public static class PcnSiloBuilderExtensions
{
    /// <summary>
    /// The compute backend shared by the silo's layer grains (the CPU backend), the data set cache, and the
    /// contiguous-block placement of layers.
    /// </summary>
    public static ISiloBuilder AddPcnGrains(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<IPcBackend>(_ => new CpuBackend());
        builder.Services.AddSingleton<DatasetCache>();
        builder.Services.AddPlacementDirector<ContiguousBlockPlacement, ContiguousBlockPlacementDirector>();
        return builder;
    }
}
