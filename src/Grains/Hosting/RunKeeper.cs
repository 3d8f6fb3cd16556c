using Microsoft.Extensions.Logging;
using Pcn.Abstractions.Grains;

namespace Pcn.Grains.Hosting;

/// <summary>
/// Keeps runs going with no client attached: on every silo, every few seconds, asks the run registry to wake the
/// coordinators of runs recorded as training. A coordinator lost with its silo (or with the whole cluster) is then
/// activated from storage on a live silo and resumes its run from the last checkpoint. Orleans places the registry and
/// each coordinator once, so the rounds of several silos only repeat calls that find everything already awake.
/// </summary>
internal sealed partial class RunKeeper(IGrainFactory grains, ILogger<RunKeeper> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    /// <summary>How often a silo wakes the runs that should be training.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    /// <inheritdoc/>
    public void Participate(ISiloLifecycle lifecycle)
    {
        ArgumentNullException.ThrowIfNull(lifecycle);
        lifecycle.Subscribe(nameof(RunKeeper), ServiceLifecycleStage.Active, _ => Start(), _ => StopAsync());
    }

    /// <inheritdoc/>
    public void Dispose() => _stop.Dispose();

    private Task Start()
    {
        _loop = Task.Run(() => KeepAsync(_stop.Token));
        return Task.CompletedTask;
    }

    private async Task StopAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    private async Task KeepAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await Task.Delay(Interval, stop);
            try
            {
                await grains.GetGrain<IRunRegistryGrain>(0).WakeRunningAsync();
            }
            catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
            {
                LogWakeFailed(e.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Waking training runs failed (tried again next round): {Reason}")]
    private partial void LogWakeFailed(string reason);
}
