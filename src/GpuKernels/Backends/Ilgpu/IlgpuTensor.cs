using ILGPU;

namespace Pcn.GpuKernels.Backends.Ilgpu;

/// <summary>
/// A float32 row-major tensor in one <see cref="IlgpuBackend"/>'s device pool: a range of one pool chunk, so that one
/// kernel can reach the tensors of many layers. Dispose it before the backend.
/// </summary>
internal sealed class IlgpuTensor : Tensor
{
    private bool _released;

    internal IlgpuTensor(IlgpuBackend owner, int chunk, long offset, long reserved, int rows, int columns)
        : base(rows, columns)
    {
        Owner = owner;
        Chunk = chunk;
        Offset = offset;
        Reserved = reserved;
    }

    /// <summary>The backend whose device holds the tensor.</summary>
    internal IlgpuBackend Owner { get; }

    /// <summary>The pool chunk.</summary>
    internal int Chunk { get; }

    /// <summary>The first element in the chunk.</summary>
    internal long Offset { get; }

    /// <summary>Elements taken from the chunk (the length rounded up for aligned rows of a warp).</summary>
    internal long Reserved { get; }

    /// <summary>The device values, row-major, <see cref="Tensor.Length"/> elements.</summary>
    internal ArrayView<float> View => Owner.ChunkView(Chunk).SubView(Offset, Length);

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_released)
        {
            _released = true;
            Owner.Release(this);
        }

        base.Dispose(disposing);
    }
}
