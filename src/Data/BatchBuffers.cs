namespace Pcn.Data;

/// <summary>One batch on the host, reused from batch to batch: inputs, one-hot targets and labels.</summary>
public sealed class BatchBuffers(int rows, int inputs, int outputs)
{
    /// <summary>B × inputs, row-major.</summary>
    public float[] X { get; } = new float[rows * inputs];

    /// <summary>B × outputs one-hot targets, row-major.</summary>
    public float[] Y { get; } = new float[rows * outputs];

    /// <summary>The B labels.</summary>
    public byte[] Labels { get; } = new byte[rows];

    /// <summary>Fills the buffers with batch <paramref name="batch"/> of <paramref name="iterator"/>'s current epoch.</summary>
    public void Fill(BatchIterator iterator, int batch)
    {
        ArgumentNullException.ThrowIfNull(iterator);
        iterator.Fill(batch, X, Y, Labels);
    }
}
