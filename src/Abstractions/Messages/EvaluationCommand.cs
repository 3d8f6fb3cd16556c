namespace Pcn.Abstractions.Messages;

/// <summary>
/// The coordinator's order to a layer to run the feedforward pass of <paramref name="Batches"/> test batches, each as
/// soon as its input arrives from below (layer 1: x from the coordinator); the output layer sends each batch's logits
/// to the coordinator as a <see cref="TestPrediction"/>.
/// </summary>
/// <param name="Pass">The pass id its messages carry as their batch: negative (−1, −2, … per evaluation of the run), so
/// test messages can never be taken for a training batch's.</param>
/// <param name="Batches">Test batches in this evaluation; messages carry the 0-based index as their step.</param>
[GenerateSerializer]
[Immutable]
[Alias("pcn.evaluation-command")]
public sealed record EvaluationCommand([property: Id(0)] int Pass, [property: Id(1)] int Batches);
