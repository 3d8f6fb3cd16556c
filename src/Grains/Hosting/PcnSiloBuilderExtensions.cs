using Microsoft.Extensions.DependencyInjection;
using Pcn.GpuKernels.Backends;
using Pcn.GpuKernels.Backends.Cpu;
using Pcn.GpuKernels.Backends.Ilgpu;
using Pcn.Grains.Coordination;
using Pcn.Grains.Diagnostics;
using Pcn.Grains.Exchange;
using Pcn.Grains.Persistence;
using Pcn.Grains.Placement;

namespace Pcn.Grains.Hosting;

/// <summary>Registers what Pcn's grains need on a silo.</summary>
public static class PcnSiloBuilderExtensions
{
    /// <summary>
    /// The compute backend shared by the silo's layer grains (the CPU backend, timed into the kernel-time metric),
    /// Pcn's instruments, the data set cache, the neighbour exchange of the silo's layers, and the contiguous-block
    /// placement of layers.
    /// </summary>
    /// <param name="builder">The silo.</param>
    /// <param name="backend">The compute backend: "cpu", "cuda" (ILGPU on the first CUDA device) or "ilgpu-cpu" (ILGPU's
    /// CPU accelerator set up like a CUDA device: slow, for tests of the device path).</param>
    /// <param name="checkpoints">Where layers write checkpoints (the same directory for every silo of a cluster).</param>
    /// <param name="metrics">Record Pcn's metrics (false only to measure what recording costs).</param>
    /// <remarks>
    /// Grain storage named <see cref="PcnStorage.Name"/> must be added as well: files (<c>AddPcnFileStorage</c>)
    /// on one machine, Redis across machines.
    /// </remarks>
    public static ISiloBuilder AddPcnGrains(this ISiloBuilder builder, CheckpointSettings checkpoints, string backend = "cpu", bool metrics = true)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (backend is not ("cpu" or "cuda" or "ilgpu-cpu"))
        {
            throw new ArgumentOutOfRangeException(nameof(backend), backend, "The backend is cpu, cuda or ilgpu-cpu.");
        }

        builder.Services.AddSingleton(checkpoints);
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, RunKeeper>();
        builder.Services.AddMetrics();
        builder.Services.AddSingleton(services => new PcnInstruments(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), metrics));
        builder.Services.AddSingleton<IPcBackend>(services =>
        {
            // Inside a silo the layers are the parallelism: Orleans runs as many layer grains at once as there are
            // cores, and each takes its steps as soon as its neighbours allow. Splitting every product over the cores
            // as well only adds threads that fight the grains for them (measured: 0.70 against 1.0 of the
            // single-process trainer at H = 8, N = 128).
            IPcBackend compute = backend switch
            {
                "cuda" => CreateIlgpu(cuda: true),
                "ilgpu-cpu" => CreateIlgpu(cuda: false),
                _ => new CpuBackend(parallelProducts: false),
            };
            PcnInstruments instruments = services.GetRequiredService<PcnInstruments>();
            if (compute.DefersWork)
            {
                // A device backend's calls only queue work: its counts are what to watch, not the time of its calls.
                instruments.ObserveDevice(compute);
                return compute;
            }

            return metrics ? new TimedBackend(compute, instruments) : compute;
        });
        builder.Services.AddSingleton<SumsReader>();
        builder.Services.AddSingleton<DatasetCache>();
        builder.Services.AddSingleton<NeighbourExchange>();
        builder.Services.AddPlacementDirector<ContiguousBlockPlacement, ContiguousBlockPlacementDirector>();
        return builder;
    }

    /// <summary>
    /// Pcn on a silo of a cluster on one machine (tests, benchmarks): grain state in files under
    /// <paramref name="directory"/>/.state/{cluster id} (silos of one cluster share it, other clusters keep apart) and
    /// checkpoints under <paramref name="directory"/>.
    /// </summary>
    public static ISiloBuilder AddPcnGrainsOnOneMachine(this ISiloBuilder builder, string directory, bool metrics = true, string backend = "cpu") => builder
        .AddPcnFileStorage(services => Path.Combine(directory, ".state", services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Orleans.Configuration.ClusterOptions>>().Value.ClusterId))
        .AddPcnGrains(new CheckpointSettings(directory), backend, metrics);

    /// <summary>Whether a CUDA device can be used (kept out of line so that ILGPU loads only when asked).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    public static bool IsCudaAvailable() => IlgpuBackend.IsCudaAvailable();

    /// <summary>Kept out of line so that ILGPU's assembly loads only when a CUDA silo asks for it.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1859", Justification = "The signature must not name ILGPU's types.")]
    private static IPcBackend CreateIlgpu(bool cuda) => cuda ? IlgpuBackend.CreateCuda() : IlgpuBackend.CreateCpu();
}
