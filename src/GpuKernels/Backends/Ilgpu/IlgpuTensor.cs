using ILGPU;
using ILGPU.Runtime;

namespace Pcn.GpuKernels.Backends.Ilgpu;

/// <summary>
/// A float32 row-major tensor in the memory of one <see cref="IlgpuBackend"/>'s accelerator. The tensor owns its
/// buffer; dispose it before the backend (the backend's accelerator would otherwise free it on disposal).
/// </summary>
public sealed class IlgpuTensor : Tensor
{
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _buffer;

    internal IlgpuTensor(IlgpuBackend owner, MemoryBuffer1D<float, Stride1D.Dense> buffer, int rows, int columns)
        : base(rows, columns)
    {
        Owner = owner;
        _buffer = buffer;
    }

    /// <summary>The backend whose accelerator holds the buffer.</summary>
    internal IlgpuBackend Owner { get; }

    /// <summary>The device values, row-major, <see cref="Tensor.Length"/> elements.</summary>
    internal ArrayView<float> View => _buffer.View;

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Owner.Release(_buffer);
        }

        base.Dispose(disposing);
    }
}
