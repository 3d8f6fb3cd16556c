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
public sealed class SumsReader(IPcBackend backend)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Run, int Pass), Round> _rounds = [];

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
            _ = Task.Run(() => complete.Read(backend));
        }

        return done;
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
