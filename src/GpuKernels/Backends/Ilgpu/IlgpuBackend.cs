using System.Buffers;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace Pcn.GpuKernels.Backends.Ilgpu;

/// <summary>
/// The per-layer operations as float32 ILGPU kernels on a CUDA device or, for tests, on ILGPU's CPU accelerator set up
/// like a CUDA device (warps of 32, groups of 256 threads), so that the same tile sizes run. The backend keeps
/// the whole training state on the device:
/// <list type="bullet">
/// <item>tensors are ranges of a few large pool chunks, so one launch can reach the tensors of many layers; after a
/// layer's first batch nothing is allocated;</item>
/// <item>operations only queue work (IlgpuBackend.Queue.cs): the same phase of every layer queued together runs as
/// one batched launch, and nothing waits for the device until the host needs a value;</item>
/// <item>sums (energies, Σg², Σ(ΔW)²) are reduced on the device into <see cref="Scalars"/> and copied back together,
/// once per batch, by <see cref="ReadScalars"/>;</item>
/// <item>launches, host waits, allocations and host↔device bytes are counted (<see cref="Counters"/>).</item>
/// </list>
/// The operations are thread-safe (one lock); the device runs them in the order of their dependencies.
/// </summary>
public sealed partial class IlgpuBackend : IPcBackend
{
    /// <summary>Tensor lengths are rounded up to this many floats, so that every tensor starts a warp's cache line.</summary>
    private const int Alignment = 32;

    /// <summary>The smallest side of a product's square group.</summary>
    private const int MinGemmSide = 4;

    /// <summary>The widest element-wise group (a power of two).</summary>
    private const int MaxElementwiseGroup = 512;

    /// <summary>The first pool chunk on the CPU accelerator (floats): test shapes fit in it.</summary>
    private const long CpuChunk = 4L << 20;

    /// <summary>The first pool chunk on a GPU (floats): a quarter of its memory, at most 4 GiB, so a deep net fits in one.</summary>
    private const long MaxDeviceChunk = 1L << 30;

    /// <summary>The first scalar buffer (doubles).</summary>
    private const int FirstScalarCapacity = 1 << 14;

    private readonly Lock _gate = new();
    private readonly Context? _ownedContext;
    private readonly Accelerator _accelerator;
    private readonly int _elementwiseGroup;
    private readonly int _gemmSide;
    private readonly long _firstChunk;
    private readonly List<MemoryBuffer1D<float, Stride1D.Dense>> _chunks = [];
    private readonly List<RangeAllocator> _chunkRanges = [];
    private readonly TableCache<ElementwiseItem> _elementwiseTables;
    private readonly TableCache<GemmItem> _gemmTables;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<double>, ArrayView<ElementwiseItem>, int, AdamArguments> _elementwise;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<GemmItem>, int, int, int, int, int> _gemm;

    private MemoryBuffer1D<double, Stride1D.Dense>? _scalarBuffer;
    private RangeAllocator _scalarRanges = new(0);
    private double[] _scalarHost = [];
    private readonly Tally _counters = new();
    private bool _disposed;

    /// <summary>
    /// Creates a backend on <paramref name="accelerator"/> and takes ownership of it (it is disposed with the
    /// backend); its context stays with the caller, who disposes it after the backend.
    /// </summary>
    /// <exception cref="NotSupportedException">The device runs fewer than 16 threads per group.</exception>
    public IlgpuBackend(Accelerator accelerator)
        : this(accelerator, ownedContext: null)
    {
    }

    private IlgpuBackend(Accelerator accelerator, Context? ownedContext)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        if (accelerator.MaxNumThreadsPerGroup < MinGemmSide * MinGemmSide)
        {
            throw new NotSupportedException($"IlgpuBackend needs groups of at least {MinGemmSide * MinGemmSide} threads; {accelerator.Name} runs at most {accelerator.MaxNumThreadsPerGroup}.");
        }

        _accelerator = accelerator;
        _ownedContext = ownedContext;
        Name = accelerator.AcceleratorType == AcceleratorType.Cuda ? "ilgpu-cuda" : $"ilgpu-{accelerator.AcceleratorType.ToString().ToLowerInvariant()}";
        _gemmSide = BatchedKernels.GemmThreads;
        while (_gemmSide * _gemmSide > accelerator.MaxNumThreadsPerGroup)
        {
            _gemmSide /= 2;
        }

        _elementwiseGroup = MaxElementwiseGroup;
        while (_elementwiseGroup > accelerator.MaxNumThreadsPerGroup)
        {
            _elementwiseGroup /= 2;
        }

        _firstChunk = accelerator.AcceleratorType == AcceleratorType.CPU ? CpuChunk : Math.Min(MaxDeviceChunk, accelerator.MemorySize / sizeof(float) / 4);
        _elementwiseTables = new TableCache<ElementwiseItem>(this);
        _gemmTables = new TableCache<GemmItem>(this);
        _elementwise = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<double>, ArrayView<ElementwiseItem>, int, AdamArguments>(BatchedKernels.Elementwise);
        _gemm = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<GemmItem>, int, int, int, int, int>(BatchedKernels.Gemm);
        GrowScalars(0);
    }

    /// <summary>"ilgpu-cuda" or "ilgpu-cpu".</summary>
    public string Name { get; }

    /// <inheritdoc/>
    public bool DefersWork => true;

    /// <inheritdoc/>
    public DeviceCounters Counters
    {
        get
        {
            lock (_gate)
            {
                return new DeviceCounters(_counters.Launches, _counters.HostWaits, _counters.Allocations, _counters.HostToDeviceBytes, _counters.DeviceToHostBytes);
            }
        }
    }

    /// <summary>The accelerator's name, warp size and largest group, for reports.</summary>
    public string DeviceDescription => $"{_accelerator.Name} (warp {_accelerator.WarpSize}, groups up to {_accelerator.MaxNumThreadsPerGroup} threads, {_accelerator.MemorySize / (1 << 20)} MiB)";

    /// <summary>
    /// Creates a backend on ILGPU's CPU accelerator with small groups (warps of 4, groups of 16 threads: products in
    /// 16×16 tiles). Every thread of a group is a thread of the host, so this is the fastest way to run the device path's
    /// queue, batching and counts on a CPU; the results have the bits of any group size.
    /// </summary>
    public static IlgpuBackend CreateCpu() => CreateCpu(new CPUDevice(numThreadsPerWarp: 4, numWarpsPerMultiprocessor: 4, numMultiprocessors: 1));

    /// <summary>
    /// Creates a backend on ILGPU's CPU accelerator set up like one multiprocessor of a CUDA device (warps of 32, groups
    /// of 256 threads), so that the kernels run with the tile sizes they have on a GPU. Slow (a host thread per device
    /// thread): for tests of the kernels themselves.
    /// </summary>
    public static IlgpuBackend CreateCpuLikeCuda() => CreateCpu(new CPUDevice(numThreadsPerWarp: 32, numWarpsPerMultiprocessor: 8, numMultiprocessors: 1));

    /// <summary>Creates a backend on the first CUDA device.</summary>
    /// <exception cref="InvalidOperationException">There is no CUDA device (or no CUDA driver).</exception>
    public static IlgpuBackend CreateCuda()
    {
        Context context = Context.Create(builder => builder.Cuda());
        try
        {
            if (context.GetCudaDevices().Count == 0)
            {
                throw new InvalidOperationException("IlgpuBackend.CreateCuda: no CUDA device (ILGPU found no CUDA driver or no device).");
            }

            return new IlgpuBackend(context.CreateCudaAccelerator(0), context);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    private static IlgpuBackend CreateCpu(CPUDevice device)
    {
        Context context = Context.Create(builder => builder.CPU(device));
        try
        {
            return new IlgpuBackend(context.CreateCPUAccelerator(0), context);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>Returns whether a CUDA device is present and works (<see cref="CudaProbe"/>, probed once per process).</summary>
    public static bool IsCudaAvailable() => CudaProbe.Probe().Status == CudaStatus.Present;

    /// <inheritdoc/>
    public Tensor Allocate(int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        lock (_gate)
        {
            Enter();
            long reserved = Math.Max(Alignment, ((long)rows * columns + Alignment - 1) / Alignment * Alignment);
            (int chunk, long offset) = TakeRange(reserved);
            var tensor = new IlgpuTensor(this, chunk, offset, reserved, rows, columns);
            _counters.Allocations++;
            if (tensor.Length > 0)
            {
                Queue(new DeviceCommand { Group = Elementwise(ElementwiseOp.Zero, chunk), Elementwise = new ElementwiseItem { C = offset, Length = tensor.Length } }, [], [tensor]);
            }

            return tensor;
        }
    }

    /// <inheritdoc/>
    public Scalars AllocateScalars(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_gate)
        {
            Enter();
            long offset = count == 0 ? 0 : _scalarRanges.Take(count);
            if (offset < 0)
            {
                GrowScalars(count);
                offset = _scalarRanges.Take(count);
            }

            _counters.Allocations++;
            return new IlgpuScalars(this, offset, count);
        }
    }

    /// <inheritdoc/>
    public void ReadScalars(ReadOnlySpan<Scalars> scalars)
    {
        if (scalars.IsEmpty)
        {
            return;
        }

        // Slots of neighbouring layers usually lie side by side: adjacent ranges are copied as one.
        var ranges = new List<(long Start, long End)>(scalars.Length);
        foreach (Scalars s in scalars)
        {
            IlgpuScalars own = OwnScalars(s, nameof(ReadScalars));
            if (own.Count > 0)
            {
                ranges.Add((own.Offset, own.Offset + own.Count));
            }
        }

        ranges.Sort();
        lock (_gate)
        {
            Enter();
            LaunchAll();
            for (int i = 0; i < ranges.Count;)
            {
                (long start, long end) = ranges[i++];
                while (i < ranges.Count && ranges[i].Start <= end)
                {
                    end = Math.Max(end, ranges[i++].End);
                }

                _scalarBuffer!.View.SubView(start, end - start).CopyToCPU(_accelerator.DefaultStream, _scalarHost.AsSpan((int)start, (int)(end - start)));
                _counters.DeviceToHostBytes += (end - start) * sizeof(double);
            }

            WaitForDevice();
            foreach (Scalars s in scalars)
            {
                Array.Copy(_scalarHost, ((IlgpuScalars)s).Offset, s.Host, 0, s.Count);
                s.MarkRead();
            }
        }
    }

    /// <inheritdoc/>
    public void Upload(ReadOnlySpan<float> source, Tensor destination)
    {
        IlgpuTensor d = Own(destination, nameof(Upload));
        ShapeCheck.Length(nameof(Upload), "source", source.Length, destination);
        if (source.IsEmpty)
        {
            return;
        }

        // The values are taken now; the copy runs in its place in the queue.
        float[] staging = ArrayPool<float>.Shared.Rent(source.Length);
        source.CopyTo(staging);
        lock (_gate)
        {
            Enter();
            Queue(new DeviceCommand { Group = new CommandGroup(CommandKind.Upload, default, d.Chunk, default, default), Staging = staging, Target = d, Elementwise = new ElementwiseItem { C = d.Offset } }, [], [d]);
        }
    }

    /// <inheritdoc/>
    public void Upload(ReadOnlySpan<double> source, Tensor destination)
    {
        Own(destination, nameof(Upload));
        ShapeCheck.Length(nameof(Upload), "source", source.Length, destination);
        float[] converted = new float[source.Length];
        for (int i = 0; i < converted.Length; i++)
        {
            converted[i] = (float)source[i];
        }

        Upload(converted, destination);
    }

    /// <inheritdoc/>
    public void Download(Tensor source, Span<float> destination)
    {
        IlgpuTensor s = Own(source, nameof(Download));
        ShapeCheck.Length(nameof(Download), "destination", destination.Length, source);
        if (destination.IsEmpty)
        {
            return;
        }

        lock (_gate)
        {
            Enter();
            LaunchAll();
            s.View.CopyToCPU(_accelerator.DefaultStream, destination);
            _counters.DeviceToHostBytes += (long)destination.Length * sizeof(float);
            WaitForDevice();
        }
    }

    /// <inheritdoc/>
    public void Download(Tensor source, Span<double> destination)
    {
        Own(source, nameof(Download));
        ShapeCheck.Length(nameof(Download), "destination", destination.Length, source);
        float[] values = new float[destination.Length];
        Download(source, values);
        for (int i = 0; i < values.Length; i++)
        {
            destination[i] = values[i];
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (DeviceCommand command in _queued)
            {
                if (command.Staging is not null)
                {
                    ArrayPool<float>.Shared.Return(command.Staging);
                }
            }

            _queued.Clear();
            _elementwiseTables.Clear();
            _gemmTables.Clear();
            foreach (MemoryBuffer1D<float, Stride1D.Dense> chunk in _chunks)
            {
                chunk.Dispose();
            }

            _scalarBuffer?.Dispose();
            _accelerator.Dispose();
            _ownedContext?.Dispose();
        }
    }

    /// <summary>The device memory of pool chunk <paramref name="chunk"/>.</summary>
    internal ArrayView<float> ChunkView(int chunk) => _chunks[chunk].View;

    /// <summary>Returns a tensor's range to the pool (a no-op once the backend is gone).</summary>
    internal void Release(IlgpuTensor tensor)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            // Queued commands may still use the range: launch them first, and the device's order keeps them before any
            // later use of the range.
            _accelerator.Bind();
            LaunchAll();
            _chunkRanges[tensor.Chunk].Release(tensor.Offset, tensor.Reserved);
        }
    }

    /// <summary>Returns slots to the scalar buffer (a no-op once the backend is gone).</summary>
    internal void Release(IlgpuScalars scalars)
    {
        lock (_gate)
        {
            if (_disposed || scalars.Count == 0)
            {
                return;
            }

            _accelerator.Bind();
            LaunchAll();
            _scalarRanges.Release(scalars.Offset, scalars.Count);
        }
    }

    /// <summary>Waits for the device to finish what was launched (counted).</summary>
    private void WaitForDevice()
    {
        _accelerator.Synchronize();
        _counters.HostWaits++;
    }

    /// <summary>A free range of the pool, from a new chunk when none has room (each new chunk as large as all before).</summary>
    private (int Chunk, long Offset) TakeRange(long length)
    {
        for (int chunk = 0; chunk < _chunkRanges.Count; chunk++)
        {
            long offset = _chunkRanges[chunk].Take(length);
            if (offset >= 0)
            {
                return (chunk, offset);
            }
        }

        long capacity = Math.Max(length, _chunks.Count == 0 ? _firstChunk : _chunkRanges.Sum(r => r.Capacity));
        _chunks.Add(_accelerator.Allocate1D<float>(capacity));
        _chunkRanges.Add(new RangeAllocator(capacity));
        _counters.Allocations++;
        return (_chunks.Count - 1, _chunkRanges[^1].Take(length));
    }

    /// <summary>Makes the scalar buffer large enough for <paramref name="count"/> more slots, keeping the slots in use.</summary>
    private void GrowScalars(int count)
    {
        long old = _scalarRanges.Capacity;
        long capacity = Math.Max(FirstScalarCapacity, 2 * (old + count));
        MemoryBuffer1D<double, Stride1D.Dense> grown = _accelerator.Allocate1D<double>(capacity);
        _counters.Allocations++;
        if (_scalarBuffer is not null)
        {
            // Launched and queued reductions write the old buffer; queued ones will write the new one.
            LaunchAll();
            grown.View.SubView(0, old).CopyFrom(_accelerator.DefaultStream, _scalarBuffer.View);
            WaitForDevice();
            _scalarBuffer.Dispose();
        }

        // Slots in use keep their places; the new space after them is free.
        _scalarRanges = _scalarRanges.Extend(capacity);
        _scalarBuffer = grown;
        Array.Resize(ref _scalarHost, (int)capacity);
    }

    /// <summary>The running counts behind <see cref="Counters"/> (guarded by <see cref="_gate"/>).</summary>
    private sealed class Tally
    {
        public long Launches { get; set; }

        public long HostWaits { get; set; }

        public long Allocations { get; set; }

        public long HostToDeviceBytes { get; set; }

        public long DeviceToHostBytes { get; set; }
    }

    /// <summary>Checks the tensor is an <see cref="IlgpuTensor"/> of this very backend.</summary>
    private IlgpuTensor Own(Tensor tensor, string operation)
    {
        IlgpuTensor owned = ShapeCheck.Own<IlgpuTensor>(tensor, operation);
        if (!ReferenceEquals(owned.Owner, this))
        {
            throw new ArgumentException($"{operation}: the tensor belongs to another IlgpuBackend ({owned.Owner.Name}).");
        }

        return owned;
    }

    private IlgpuScalars OwnScalars(Scalars scalars, string operation)
    {
        if (scalars is not IlgpuScalars owned || !ReferenceEquals(owned.Owner, this))
        {
            throw new ArgumentException($"{operation}: the sums belong to another backend.");
        }

        return owned;
    }

    /// <summary>Called under <see cref="_gate"/> before device work: rejects use after disposal, binds the accelerator to this thread.</summary>
    private void Enter()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _accelerator.Bind();
    }
}
