namespace Pcn.GpuKernels.Backends.Cpu;

/// <summary>A float32 row-major tensor of the CPU backend, in a pinned array so kernels take its address freely.</summary>
public sealed class CpuTensor : Tensor
{
    internal CpuTensor(int rows, int columns)
        : base(rows, columns)
    {
        Data = GC.AllocateArray<float>(rows * columns, pinned: true);
    }

    /// <summary>The values, row-major.</summary>
    public float[] Data { get; }

    /// <summary>The values as a span.</summary>
    public Span<float> Span => Data;
}
