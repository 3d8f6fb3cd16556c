namespace Pcn.GpuKernels.Backends.Reference;

/// <summary>A double-precision row-major tensor of the reference backend.</summary>
internal sealed class ReferenceTensor : Tensor
{
    internal ReferenceTensor(int rows, int columns)
        : base(rows, columns)
    {
        Data = new double[rows * columns];
    }

    /// <summary>The values, row-major.</summary>
    public double[] Data { get; }
}
