namespace Pcn.GpuKernels.Backends.Cpu;

/// <summary>A unit of work split into chunks; implementations are reused objects so that a run allocates nothing.</summary>
internal interface IParallelWork
{
    /// <summary>Runs chunk <paramref name="chunk"/> of <paramref name="chunkCount"/>.</summary>
    void Run(int chunk, int chunkCount);
}

/// <summary>
/// Coarse parallelism over the cores: one long-lived worker thread per extra core, woken per job, so a job costs
/// no allocation and a few microseconds (workers spin briefly before they block, because jobs come back to back
/// during training). One job runs at a time: a caller that finds the workers busy, including a call made from
/// inside a running job, runs every chunk itself. That keeps nested parallelism (layers in parallel, each calling
/// a GEMM that could split) from oversubscribing 2 cores, and results never depend on which thread ran a chunk.
/// </summary>
internal sealed class CoreParallel
{
    private readonly Worker[] _workers;
    private int _busy;
    private IParallelWork? _work;
    private int _chunkCount;
    private int _next;
    private Exception? _failure;

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
        if (chunkCount <= 1 || _workers.Length == 0 || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            for (int i = 0; i < chunkCount; i++)
            {
                work.Run(i, chunkCount);
            }

            return;
        }

        try
        {
            _work = work;
            _chunkCount = chunkCount;
            _next = -1;
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

    /// <summary>Takes chunks of the current job until none are left.</summary>
    private void Drain()
    {
        IParallelWork work = _work!;
        int chunk;
        while ((chunk = Interlocked.Increment(ref _next)) < _chunkCount)
        {
            try
            {
                work.Run(chunk, _chunkCount);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, e, null);
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
