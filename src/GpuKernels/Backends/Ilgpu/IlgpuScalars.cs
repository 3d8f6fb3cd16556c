namespace Pcn.GpuKernels.Backends.Ilgpu;

/// <summary>Slots for sums in one <see cref="IlgpuBackend"/>'s device scalar buffer, copied to the host when read.</summary>
internal sealed class IlgpuScalars(IlgpuBackend owner, long offset, int count) : Scalars(count)
{
    private bool _released;

    /// <summary>The backend whose device holds the slots.</summary>
    public IlgpuBackend Owner { get; } = owner;

    /// <summary>The first slot's index in the scalar buffer.</summary>
    public long Offset { get; } = offset;

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
