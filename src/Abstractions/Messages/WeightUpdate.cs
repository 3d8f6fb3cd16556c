namespace Pcn.Abstractions.Messages;

/// <summary>
/// The order to take one Adam step: G = GradientFactor·a_ℓ·dᵀu (PC: −1/B; BP: −2/(B·d_y) for MSE, −1/B for CE).
/// </summary>
/// <param name="Batch">The batch.</param>
/// <param name="GradientFactor">The factor c in G = c·a_ℓ·dᵀu.</param>
/// <param name="LearningRate">η.</param>
/// <param name="Beta1">b1.</param>
/// <param name="Beta2">b2.</param>
/// <param name="Epsilon">eps.</param>
[GenerateSerializer]
[Immutable]
[Alias("pcn.weight-update")]
public sealed record WeightUpdate(
    [property: Id(0)] int Batch,
    [property: Id(1)] double GradientFactor,
    [property: Id(2)] double LearningRate,
    [property: Id(3)] double Beta1,
    [property: Id(4)] double Beta2,
    [property: Id(5)] double Epsilon);
