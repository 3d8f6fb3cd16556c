using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;

namespace Pcn.Grains.Tests;

/// <summary>
/// A batch is a command that returns at once and a report when done, so no grain call lasts as long as a batch: a
/// batch far longer than the silo's response timeout trains to the end.
/// </summary>
public sealed class LongBatchTests(ShortResponseTimeoutCluster fixture) : IClassFixture<ShortResponseTimeoutCluster>
{
    [Fact]
    public async Task BatchLongerThanTheResponseTimeout_Completes()
    {
        // 17 layers × 4002 products of 64×256×256 each: hundreds of GFLOP, seconds on a few cores.
        var request = new RunRequest(
            $"long-{Guid.NewGuid():N}",
            new NetworkOptions(Depth: 16, Width: 256, Seed: 1),
            new TrainingOptions(InferenceSteps: 2000, BatchLimit: 1),
            DataSource.FashionMnist() with { LimitTrain = 64, LimitTest = 64 });

        (RunSnapshot final, List<BatchSummary> summaries) = await RunDriver.RunToEndAsync(fixture.Cluster.GrainFactory, request, TimeSpan.FromMinutes(3));

        Assert.Equal(RunState.Completed, final.State);
        Assert.Single(summaries);
        Assert.NotNull(summaries[0].TestAccuracy);

        // The premise of the test, not a speed target: the batch did outlast the timeout.
        Assert.True(final.Timings.TrainingSeconds > ShortResponseTimeoutCluster.ResponseTimeout.TotalSeconds, $"the batch took only {final.Timings.TrainingSeconds:F2} s");
    }
}
