namespace Pcn.Abstractions.Options;

/// <summary>How layer multipliers a_ℓ and initial weights are chosen (spec §1.2).</summary>
[GenerateSerializer]
[Alias("pcn.parameterisation")]
public enum Parameterisation
{
    /// <summary>Standard parameterisation: every a_ℓ = 1, W ~ U(±1/√fan_in).</summary>
    Sp,

    /// <summary>µPC: a_1 = 1/√D, a_ℓ = 1/√(N·L) (1/√N without skips), a_L = 1/N, W ~ N(0, 1).</summary>
    MuPc,

    /// <summary>Depth-µP for the backprop baseline: the same multipliers and initialisation as µPC (train_bpn.py).</summary>
    DepthMuP,
}
