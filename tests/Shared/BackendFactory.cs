using Pcn.GpuKernels.Backends;
using Pcn.GpuKernels.Backends.Cpu;
using Pcn.GpuKernels.Backends.Reference;

namespace Pcn.Tests.Shared;

/// <summary>Every backend that can run here, by name, for tests written once and run on each.</summary>
public static class BackendFactory
{
    /// <summary>Names for [MemberData]: the float backends compared against golden values and the reference.</summary>
    public static TheoryData<string> FloatBackends => new() { "cpu", "ilgpu-cpu" };

    /// <summary>Names for [MemberData]: all backends including the reference.</summary>
    public static TheoryData<string> AllBackends => new() { "reference", "cpu" };

    public static IPcBackend Create(string name) => name switch
    {
        "reference" => new ReferenceBackend(),
        "cpu" => new CpuBackend(),
        "ilgpu-cpu" => Pcn.GpuKernels.Backends.Ilgpu.IlgpuBackend.CreateCpu(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown backend."),
    };

    /// <summary>The absolute tolerance for a backend's results against double-precision oracles.</summary>
    public static double Tolerance(string name) => name == "reference" ? 1e-9 : 2e-5;
}
