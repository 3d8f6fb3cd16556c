using Orleans.Concurrency;
using Pcn.Abstractions.Messages;

namespace Pcn.Abstractions.Grains;

/// <summary>
/// One network layer ℓ of one run, keyed "{run}/{ℓ}/{L}" (see <see cref="LayerKeys"/>). It owns W_ℓ, the Adam
/// moments, z_ℓ and ε_ℓ, and an inbox with the latest z_{ℓ−1} from below and feedback from above. The coordinator
/// drives it; neighbours only deposit into its inbox (interleaved, never a call cycle).
/// </summary>
public interface ILayerGrain : IGrainWithStringKey
{
    /// <summary>Builds the layer and its initial weights from the network's seed.</summary>
    Task InitializeAsync(LayerSetup setup);

    /// <summary>Clamps the batch: x for layer 1, the one-hot targets y for the output layer.</summary>
    Task ClampAsync(int batch, TensorPayload values);

    /// <summary>Feedforward: μ_ℓ from the inbox (or x), z_ℓ = μ_ℓ, and z_ℓ sent up.</summary>
    Task ForwardAsync(int batch);

    /// <summary>Phase (a) of a step: the error and energy (returned, summed over the batch), and feedback sent down.</summary>
    Task<double> ComputeErrorAsync(StepCommand command);

    /// <summary>Phase (b) of a step: the activity update from the inbox above, and the new z_ℓ sent up.</summary>
    Task UpdateActivityAsync(StepCommand command);

    /// <summary>Backprop: the output layer sends its feedback down; a hidden layer backpropagates and sends its own.</summary>
    Task BackpropagateAsync(int batch);

    /// <summary>Weight gradient at the current errors and one Adam step.</summary>
    Task UpdateWeightsAsync(WeightUpdate update);

    /// <summary>The output layer's prediction ŷ (B × d_y) from the last feedforward pass.</summary>
    Task<TensorPayload> GetPredictionAsync();

    /// <summary>W_ℓ (N_out × N_in), for checks and checkpoints.</summary>
    Task<TensorPayload> GetWeightsAsync();

    /// <summary>The silo hosting this activation, as "host:port".</summary>
    Task<string> GetSiloAsync();

    /// <summary>Releases the layer's memory; the activation goes away.</summary>
    Task ReleaseAsync();

    /// <summary>Inbox: z_{ℓ−1} from the layer below.</summary>
    [AlwaysInterleave]
    Task DepositActivityAsync(ActivityMessage message);

    /// <summary>Inbox: feedback (and error, with a skip) from the layer above.</summary>
    [AlwaysInterleave]
    Task DepositFeedbackAsync(FeedbackMessage message);
}
