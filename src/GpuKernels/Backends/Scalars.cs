namespace Pcn.GpuKernels.Backends;

/// <summary>
/// Slots for the sums that operations reduce to (energies, Σg², Σ(ΔW)², Σx²), written where the backend computes: in
/// host memory for host backends (readable at once), in device memory for ILGPU, where they accumulate without the host
/// waiting and are copied back together by <see cref="IPcBackend.ReadScalars"/> (once per batch).
/// </summary>
public class Scalars : IDisposable
{
    /// <summary>Creates <paramref name="count"/> zeroed host slots.</summary>
    public Scalars(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Host = new double[count];
    }

    /// <summary>Number of slots.</summary>
    public int Count => Host.Length;

    /// <summary>The value of <paramref name="slot"/> as last read (for host backends: as last written).</summary>
    public double this[int slot] => Host[slot];

    /// <summary>
    /// How many times a deferring backend has read these slots back (<see cref="IPcBackend.ReadScalars"/>): a value
    /// queued before a read is in the host copy after it. Host backends write the host copy at once and do not count.
    /// </summary>
    public int Reads { get; private set; }

    /// <summary>The host copy of the slots.</summary>
    internal double[] Host { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Records a read back from the device.</summary>
    internal void MarkRead() => Reads++;

    /// <summary>Writes a slot computed on the host.</summary>
    internal void Store(int slot, double value) => Host[slot] = value;

    /// <summary>Releases device storage, if any.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}
