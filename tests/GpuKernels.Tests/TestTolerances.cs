namespace Pcn.GpuKernels.Tests;

internal static class TestTolerances
{
    /// <summary>Reference (double) against golden values derived in double.</summary>
    public const double Reference = 1e-9;
}
