using Orleans.Concurrency;
using Pcn.Abstractions.Messages;

namespace Pcn.Abstractions.Grains;

/// <summary>
/// What layer grains send their run's coordinator (keyed by run id, the same activation as
/// <see cref="ITrainingCoordinatorGrain"/>): one report per layer per batch, and the test logits. One-way and
/// interleaved, so reports are taken while the coordinator waits for them.
/// </summary>
public interface ICoordinatorInbox : IGrainWithStringKey
{
    /// <summary>A layer finished its part of a training batch (or failed it).</summary>
    [OneWay]
    [AlwaysInterleave]
    Task LayerReportAsync(LayerReport report);

    /// <summary>The output layer's logits for one test batch (or a layer's failure during an evaluation).</summary>
    [OneWay]
    [AlwaysInterleave]
    Task TestPredictionAsync(TestPrediction prediction);
}
