namespace Pcn.GpuKernels.Backends;

/// <summary>
/// One Adam step as optax.adam applies it (spec §4): <c>m ← b1·m + (1−b1)·g</c>, <c>v ← b2·v + (1−b2)·g²</c>,
/// <c>W ← W − η·(m/(1−b1ᵗ)) / (√(v/(1−b2ᵗ)) + eps)</c>.
/// </summary>
/// <param name="LearningRate">η.</param>
/// <param name="Beta1">b1.</param>
/// <param name="Beta2">b2.</param>
/// <param name="Epsilon">eps (added outside the square root; eps_root = 0).</param>
/// <param name="Step">t, the 1-based count of steps taken including this one.</param>
public readonly record struct AdamStepParameters(double LearningRate, double Beta1, double Beta2, double Epsilon, int Step)
{
    /// <summary>1/(1 − b1ᵗ).</summary>
    public double FirstMomentCorrection => 1.0 / (1.0 - Math.Pow(Beta1, Step));

    /// <summary>1/(1 − b2ᵗ).</summary>
    public double SecondMomentCorrection => 1.0 / (1.0 - Math.Pow(Beta2, Step));
}
