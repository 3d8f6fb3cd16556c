using Pcn.GpuKernels.Backends;

namespace Pcn.Grains.Exchange;

/// <summary>
/// One host wait per batch for all of a run's layers on this silo. With a backend that defers work (ILGPU), a layer's
/// energies and norms stay in device memory until read, and a read waits for the device. Each layer joins the round of
/// its batch when the batch begins and asks for its sums when its part is queued; the last to ask reads every member's
/// sums with one wait, and all of them go on. Every layer of a run takes part in a batch before any can finish it (a
/// layer's last step needs its neighbours' messages, which need theirs), so a round holds all the run's local layers.
/// A layer whose pass fails still asks, so that the others are released. With a host backend there is nothing to wait
/// for, and nothing is kept.
/// </summary>
internal sealed class SumsReader(IPcBackend backend)
{
    /// <summary>Runs whose last reads are kept (the newest).</summary>
    private const int RunsKept = 16;

    private readonly Lock _gate = new();
    private readonly Dictionary<(string Run, int Pass), Round> _rounds = [];
    private readonly Dictionary<string, (int Pass, DeviceCounters Counts)[]> _lastReads = [];
    private readonly Queue<string> _runsRead = new();

    /// <summary>
    /// The backend's counts just after the reads of a run's last two batches (older first), or null before two: the
    /// difference is exactly what one steady-state batch asked of the device (its update, clamp, inference and read).
    /// </summary>
    public (int Pass, DeviceCounters Counts)[]? LastReads(string run)
    {
        lock (_gate)
        {
            return _lastReads.TryGetValue(run, out (int Pass, DeviceCounters Counts)[]? reads) && reads[0].Pass > 0 ? [.. reads] : null;
        }
    }

    /// <summary>Counts a layer of <paramref name="run"/> into the round of <paramref name="pass"/>.</summary>
    public void Join(string run, int pass)
    {
        if (!backend.DefersWork)
        {
            return;
        }

        lock (_gate)
        {
            if (!_rounds.TryGetValue((run, pass), out Round? round))
            {
                _rounds[(run, pass)] = round = new Round();
            }

            round.Joined++;
        }
    }

    /// <summary>Completes when <paramref name="sums"/> are readable: at once for a host backend, else when the round is read.</summary>
    public Task ReadAsync(string run, int pass, Scalars sums)
    {
        if (!backend.DefersWork)
        {
            return Task.CompletedTask;
        }

        Round? complete = null;
        Task done;
        lock (_gate)
        {
            if (!_rounds.TryGetValue((run, pass), out Round? round))
            {
                // Not joined (a pass begun before a restart): read alone.
                return Task.Run(() => backend.ReadScalars([sums]));
            }

            round.Sums.Add(sums);
            done = round.Done.Task;
            if (round.Sums.Count >= round.Joined)
            {
                _rounds.Remove((run, pass));
                complete = round;
            }
        }

        if (complete is not null)
        {
            // The wait runs off the caller's thread: a grain's turn must not block on the device.
            _ = Task.Run(() =>
            {
                complete.Read(backend);
                Remember(run, pass, backend.Counters);
            });
        }

        return done;
    }

    private void Remember(string run, int pass, DeviceCounters counts)
    {
        lock (_gate)
        {
            if (!_lastReads.TryGetValue(run, out (int Pass, DeviceCounters Counts)[]? reads))
            {
                _runsRead.Enqueue(run);
                if (_runsRead.Count > RunsKept)
                {
                    _lastReads.Remove(_runsRead.Dequeue());
                }

                _lastReads[run] = reads = new (int, DeviceCounters)[2];
            }

            reads[0] = reads[1];
            reads[1] = (pass, counts);
        }
    }

    private sealed class Round
    {
        public int Joined { get; set; }

        public List<Scalars> Sums { get; } = [];

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Read(IPcBackend backend)
        {
            try
            {
                backend.ReadScalars(Sums.ToArray());
                Done.SetResult();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Done.SetException(e);
            }
        }
    }
}
