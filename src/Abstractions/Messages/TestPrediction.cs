namespace Pcn.Abstractions.Messages;

/// <summary>The output layer's logits ŷ for one test batch of an evaluation, or why it could not make them.</summary>
/// <param name="Pass">The evaluation's pass id (see <see cref="EvaluationCommand"/>).</param>
/// <param name="Index">The 0-based test batch.</param>
/// <param name="Logits">B × d_y; null with a failure.</param>
/// <param name="Failure">Why a layer could not finish the evaluation; null when it did.</param>
[GenerateSerializer]
[Immutable]
[Alias("pcn.test-prediction")]
public sealed record TestPrediction([property: Id(0)] int Pass, [property: Id(1)] int Index, [property: Id(2)] TensorPayload? Logits, [property: Id(3)] string? Failure);
