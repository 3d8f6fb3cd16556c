namespace Pcn.GpuKernels.Backends.Cpu;

/// <summary>A unit of work split into chunks; implementations are reused objects so that a run allocates nothing.</summary>
public interface IParallelWork
{
    /// <summary>Runs chunk <paramref name="chunk"/> of <paramref name="chunkCount"/>.</summary>
    void Run(int chunk, int chunkCount);
}

/// <summary>
/// Coarse parallelism over the cores: one long-lived worker thread per extra core, woken per job, so a job costs
/// no allocation and a few microseconds (workers spin briefly before they block, because jobs come back to back
/// during training). One job runs at a time. A call made while a job runs (a GEMM inside a layer that runs in
/// parallel with other layers) does not wake more threads: its caller runs the chunks itself and publishes them, and
/// a thread that has run out of chunks of the outer job helps with the published ones. So seven equal layers on two
/// cores do not leave one core idle for the seventh. Results never depend on which thread ran a chunk.
/// </summary>
public sealed class CoreParallel
{
    private readonly Worker[] _workers;
    private int _busy;
    private IParallelWork? _work;
    private int _chunkCount;
    private int _next;
    private Exception? _failure;
    private int _completed;
    private NestedJob? _published;

    private CoreParallel(int threads)
    {
        Concurrency = Math.Max(1, threads);
        _workers = new Worker[Concurrency - 1];
        for (int i = 0; i < _workers.Length; i++)
        {
            _workers[i] = new Worker(this, i + 1);
        }
    }

    /// <summary>The process-wide pool sized to the machine's cores.</summary>
    public static CoreParallel Shared { get; } = new(Environment.ProcessorCount);

    /// <summary>How many chunks can run at once.</summary>
    public int Concurrency { get; }

    /// <summary>
    /// Runs chunks 0..<paramref name="chunkCount"/>−1 of <paramref name="work"/> and returns when all are done.
    /// Chunks are handed out dynamically, so uneven chunks balance across the cores.
    /// </summary>
    public void Run(IParallelWork work, int chunkCount)
    {
        if (chunkCount <= 1 || _workers.Length == 0)
        {
            for (int i = 0; i < chunkCount; i++)
            {
                work.Run(i, chunkCount);
            }

            return;
        }

        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            RunNested(work, chunkCount);
            return;
        }

        RunOwned(work, chunkCount);
    }

    /// <summary>
    /// Runs chunks 0..<paramref name="chunkCount"/>−1 of <paramref name="work"/> at the same time, one per thread, for
    /// work whose chunks wait on one another's progress (a chunk run after another has finished could wait forever).
    /// Returns false, running nothing, when that cannot be promised: more chunks than threads, or the pool is busy
    /// with another job (a call from inside a parallel phase, or from another thread).
    /// </summary>
    public bool TryRunConcurrently(IParallelWork work, int chunkCount)
    {
        if (chunkCount < 1 || chunkCount > Concurrency || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            return false;
        }

        // With no more chunks than threads, every chunk is claimed as soon as a started worker wakes; chunks that wait
        // for each other cannot finish before all have been claimed, so no thread ever holds two.
        RunOwned(work, chunkCount);
        return true;
    }

    /// <summary>Runs a job once this thread owns the pool (<c>_busy</c> set): wakes helpers, drains, waits, releases.</summary>
    private void RunOwned(IParallelWork work, int chunkCount)
    {
        try
        {
            _work = work;
            _chunkCount = chunkCount;
            _next = -1;
            _completed = 0;
            _failure = null;
            int helpers = Math.Min(_workers.Length, chunkCount - 1);
            for (int i = 0; i < helpers; i++)
            {
                _workers[i].Start();
            }

            Drain();
            for (int i = 0; i < helpers; i++)
            {
                _workers[i].Wait();
            }

            if (_failure is not null)
            {
                throw new AggregateException("A parallel chunk failed.", _failure);
            }
        }
        finally
        {
            _work = null;
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>Takes chunks of the current job until none are left, then helps nested work until all are done.</summary>
    private void Drain()
    {
        IParallelWork work = _work!;
        int chunkCount = _chunkCount;
        int chunk;
        while ((chunk = Interlocked.Increment(ref _next)) < chunkCount)
        {
            try
            {
                work.Run(chunk, chunkCount);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, e, null);
            }

            Interlocked.Increment(ref _completed);
        }

        var spin = default(SpinWait);
        while (Volatile.Read(ref _completed) < chunkCount)
        {
            if (Volatile.Read(ref _published) is { } nested && nested.TryRunOne())
            {
                spin = default;
                continue;
            }

            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>A run requested while a job is in progress: the caller runs the chunks, idle threads may help.</summary>
    private void RunNested(IParallelWork work, int chunkCount)
    {
        NestedJob job = NestedJob.ForThisThread;
        if (job.InUse)
        {
            // A run nested inside this thread's own nested run (a GEMM inside a phase that was itself nested):
            // the thread's job object is taken, so these chunks stay on this thread.
            for (int i = 0; i < chunkCount; i++)
            {
                work.Run(i, chunkCount);
            }

            return;
        }

        job.Open(work, chunkCount);
        bool published = false;
        do
        {
            // Publish as soon as the slot is free: another thread's nested run may have held it when this one began.
            published = published || Interlocked.CompareExchange(ref _published, job, null) is null;
        }
        while (job.TryRunOne());

        if (published)
        {
            Interlocked.CompareExchange(ref _published, null, job);
        }

        job.WaitForHelpers();
    }

    /// <summary>
    /// The chunks of a nested run. Claims go through one 64-bit state (count, next) updated by compare-and-swap, so a
    /// helper holding a stale reference can never claim a chunk once all are claimed, even after the owner reuses the
    /// object for its next run: the owner only reopens it after every chunk was claimed and finished.
    /// </summary>
    private sealed class NestedJob
    {
        [ThreadStatic]
        private static NestedJob? _forThisThread;

        private IParallelWork? _work;
        private long _state;
        private int _done;
        private Exception? _failure;

        public static NestedJob ForThisThread => _forThisThread ??= new NestedJob();

        /// <summary>True from <see cref="Open"/> until <see cref="WaitForHelpers"/> returns.</summary>
        public bool InUse => _work is not null;

        public void Open(IParallelWork work, int chunkCount)
        {
            _work = work;
            _failure = null;
            Volatile.Write(ref _done, 0);
            Volatile.Write(ref _state, ((long)chunkCount << 32) | 0xFFFF_FFFFL);
        }

        /// <summary>Claims and runs one chunk; false when none is left to claim.</summary>
        public bool TryRunOne()
        {
            while (true)
            {
                long state = Volatile.Read(ref _state);
                int count = (int)(state >> 32);
                int next = (int)state + 1;
                if (next >= count)
                {
                    return false;
                }

                IParallelWork? work = _work;
                if (Interlocked.CompareExchange(ref _state, ((long)count << 32) | (uint)next, state) != state)
                {
                    continue;
                }

                try
                {
                    work!.Run(next, count);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref _failure, e, null);
                }

                Interlocked.Increment(ref _done);
                return true;
            }
        }

        public void WaitForHelpers()
        {
            int count = (int)(Volatile.Read(ref _state) >> 32);
            var spin = default(SpinWait);
            while (Volatile.Read(ref _done) < count)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }

            _work = null;
            if (_failure is not null)
            {
                throw new AggregateException("A parallel chunk failed.", _failure);
            }
        }
    }

    /// <summary>A dedicated background thread that helps drain the current job when started.</summary>
#pragma warning disable CA1001 // Workers live as long as the process; their events are never released early.
    private sealed class Worker
    {
        private const int SpinCount = 2_000;
        private readonly ManualResetEventSlim _started = new(false, SpinCount);
        private readonly ManualResetEventSlim _done = new(true, SpinCount);
        private readonly CoreParallel _pool;

        public Worker(CoreParallel pool, int index)
        {
            _pool = pool;

            // ManualResetEventSlim creates its lock object on the first wait that blocks; make that happen now, so a
            // caller that later blocks on a slow worker allocates nothing during training.
            _done.Reset();
            _done.Wait(1);
            _done.Set();
            var thread = new Thread(Loop) { IsBackground = true, Name = $"pcn-core-{index}" };
            thread.Start();
        }

        public void Start()
        {
            _done.Reset();
            _started.Set();
        }

        public void Wait() => _done.Wait();

        private void Loop()
        {
            while (true)
            {
                _started.Wait();
                _started.Reset();
                _pool.Drain();
                _done.Set();
            }
        }
    }
#pragma warning restore CA1001
}
