namespace Pcn.GpuKernels.Backends;

/// <summary>
/// A row-major matrix owned by one backend (host memory, or device memory for ILGPU). Batches are rows:
/// activities are B×N, weights are N_out×N_in. Only the backend that allocated a tensor may read or write it.
/// </summary>
public abstract class Tensor : IDisposable
{
    /// <summary>Creates the shape; the backend owns the storage.</summary>
    protected Tensor(int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        Rows = rows;
        Columns = columns;
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int Columns { get; }

    /// <summary>Rows × Columns.</summary>
    public int Length => Rows * Columns;

    /// <summary>"R×C", for error messages.</summary>
    public string Shape => $"{Rows}×{Columns}";

    /// <inheritdoc/>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the storage.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}
