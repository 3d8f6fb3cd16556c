using Microsoft.Extensions.DependencyInjection;
using Pcn.GpuKernels.Backends;
using Pcn.GpuKernels.Backends.Cpu;
using Pcn.Grains.Coordination;
using Pcn.Grains.Diagnostics;
using Pcn.Grains.Placement;

namespace Pcn.Grains.Hosting;

/// <summary>Registers what Pcn's grains need on a silo.</summary>
public static class PcnSiloBuilderExtensions
{
    /// <summary>
    /// The compute backend shared by the silo's layer grains (the CPU backend, timed into the kernel-time metric),
    /// Pcn's instruments, the data set cache, and the contiguous-block placement of layers.
    /// </summary>
    public static ISiloBuilder AddPcnGrains(this ISiloBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<PcnInstruments>();
        builder.Services.AddSingleton<IPcBackend>(services => new TimedBackend(new CpuBackend(), services.GetRequiredService<PcnInstruments>()));
        builder.Services.AddSingleton<DatasetCache>();
        builder.Services.AddPlacementDirector<ContiguousBlockPlacement, ContiguousBlockPlacementDirector>();
        return builder;
    }
}
