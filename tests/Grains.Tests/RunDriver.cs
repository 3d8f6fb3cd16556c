using Pcn.Abstractions.Grains;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Runs;

namespace Pcn.Grains.Tests;

/// <summary>Starts a run through the coordinator and collects its summaries until it finishes (polling with a deadline).</summary>
internal static class RunDriver
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    public static async Task<(RunSnapshot Final, List<BatchSummary> Summaries)> RunToEndAsync(IGrainFactory grains, RunRequest request, TimeSpan timeout)
    {
        ITrainingCoordinatorGrain coordinator = grains.GetGrain<ITrainingCoordinatorGrain>(request.RunId);
        return await WaitToEndAsync(coordinator, await coordinator.StartAsync(request), timeout);
    }

    /// <summary>Watches a started run until it finishes, collecting its summaries.</summary>
    public static async Task<(RunSnapshot Final, List<BatchSummary> Summaries)> WaitToEndAsync(ITrainingCoordinatorGrain coordinator, RunSnapshot snapshot, TimeSpan timeout)
    {
        (RunSnapshot final, IReadOnlyList<BatchSummary> summaries) = await new RunWatcher(coordinator, snapshot, PollInterval, deadline: timeout).WatchAsync();
        return (final, [.. summaries]);
    }
}
