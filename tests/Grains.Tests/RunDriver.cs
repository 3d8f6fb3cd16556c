using Pcn.Abstractions.Grains;
using Pcn.Abstractions.Messages;

namespace Pcn.Grains.Tests;

/// <summary>Starts a run through the coordinator and collects its summaries until it finishes (polling with a deadline).</summary>
internal static class RunDriver
{
    public static async Task<(RunSnapshot Final, List<BatchSummary> Summaries)> RunToEndAsync(IGrainFactory grains, RunRequest request, TimeSpan timeout)
    {
        ITrainingCoordinatorGrain coordinator = grains.GetGrain<ITrainingCoordinatorGrain>(request.RunId);
        return await WaitToEndAsync(coordinator, await coordinator.StartAsync(request), timeout);
    }

    /// <summary>Polls a started run until it finishes, collecting its summaries.</summary>
    public static async Task<(RunSnapshot Final, List<BatchSummary> Summaries)> WaitToEndAsync(ITrainingCoordinatorGrain coordinator, RunSnapshot snapshot, TimeSpan timeout)
    {
        RunRequest request = snapshot.Request;
        var summaries = new List<BatchSummary>(snapshot.Summaries);
        DateTime deadline = DateTime.UtcNow + timeout;
        while (!snapshot.IsFinished)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Run {request.RunId} did not finish within {timeout} ({snapshot.Batches}/{snapshot.TotalBatches} batches).");
            }

            await Task.Delay(50);
            snapshot = await coordinator.GetSnapshotAsync(summaries.Count == 0 ? 0 : summaries[^1].Batch);
            summaries.AddRange(snapshot.Summaries);
        }

        return (snapshot, summaries);
    }
}
