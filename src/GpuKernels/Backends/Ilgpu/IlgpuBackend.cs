using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace Pcn.GpuKernels.Backends.Ilgpu;

/// <summary>
/// The per-layer operations as float32 ILGPU kernels, on a CUDA device or, for tests on tiny shapes, on ILGPU's CPU
/// accelerator. Every kernel is loaded once per accelerator, in the constructor. Device work is serialised by one
/// lock and runs in order on the accelerator's default stream: operations that only launch kernels return without
/// waiting, while uploads, downloads, copies and reductions synchronise, so the host never sees a stale value (a
/// failed kernel surfaces at the next synchronising call). Reductions write per-row or per-chunk partial sums that
/// the host adds in double, in a fixed order, so every energy is reproducible from run to run.
/// </summary>
public sealed partial class IlgpuBackend : IPcBackend
{
    /// <summary>The widest tile of the matrix-product kernel (16×16 threads per group).</summary>
    private const int MaxTile = 16;

    private static readonly Lazy<bool> CudaAvailable = new(ProbeCuda);

    private readonly Lock _gate = new();
    private readonly Context? _ownedContext;
    private readonly Accelerator _accelerator;
    private readonly int _tile;

    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int, int> _transpose;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, int> _activate;
    private readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int, int, float, int> _gemm;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<double>, int> _predictionError;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<double>, int> _outputErrorCrossEntropy;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, float, ArrayView<float>> _activityStep;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, ArrayView<float>, int> _backpropagate;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float, float, float, float, float, float, float> _adamStep;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<double>, int> _sumOfSquares;

    // Partial sums of the reductions: grown on demand, reused while large enough, guarded by _gate.
    private MemoryBuffer1D<double, Stride1D.Dense>? _partials;
    private double[] _hostPartials = [];
    private bool _disposed;

    /// <summary>
    /// Creates a backend on <paramref name="accelerator"/> and takes ownership of it (it is disposed with the
    /// backend); its context stays with the caller, who disposes it after the backend.
    /// </summary>
    public IlgpuBackend(Accelerator accelerator)
        : this(accelerator, ownedContext: null)
    {
    }

    private IlgpuBackend(Accelerator accelerator, Context? ownedContext)
    {
        ArgumentNullException.ThrowIfNull(accelerator);
        _accelerator = accelerator;
        _ownedContext = ownedContext;
        Name = accelerator.AcceleratorType == AcceleratorType.Cuda ? "ilgpu-cuda" : $"ilgpu-{accelerator.AcceleratorType.ToString().ToLowerInvariant()}";
        _tile = TileFor(accelerator);

        _transpose = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(IlgpuKernels.Transpose);
        _activate = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(IlgpuKernels.Activate);
        _gemm = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, int, int, int, float, int>(IlgpuKernels.Gemm);
        _predictionError = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<double>, int>(IlgpuKernels.PredictionError);
        _outputErrorCrossEntropy = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<double>, int>(IlgpuKernels.OutputErrorCrossEntropy);
        _activityStep = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int, float, ArrayView<float>>(IlgpuKernels.ActivityStep);
        _backpropagate = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, ArrayView<float>, int>(IlgpuKernels.Backpropagate);
        _adamStep = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float, float, float, float, float, float, float, float>(IlgpuKernels.AdamStep);
        _sumOfSquares = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<double>, int>(IlgpuKernels.SumOfSquares);
    }

    /// <summary>"ilgpu-cuda" or "ilgpu-cpu".</summary>
    public string Name { get; }

    /// <summary>Creates a backend on ILGPU's CPU accelerator (slow: meant for tests on tiny shapes).</summary>
    public static IlgpuBackend CreateCpu()
    {
        Context context = Context.Create(builder => builder.DefaultCPU());
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

    /// <summary>Returns whether a CUDA device is present (probed once per process).</summary>
    public static bool IsCudaAvailable() => CudaAvailable.Value;

    /// <inheritdoc/>
    public Tensor Allocate(int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        lock (_gate)
        {
            Enter();
            MemoryBuffer1D<float, Stride1D.Dense> buffer = _accelerator.Allocate1D<float>((long)rows * columns);
            try
            {
                buffer.MemSetToZero();
                _accelerator.Synchronize();
                return new IlgpuTensor(this, buffer, rows, columns);
            }
            catch
            {
                buffer.Dispose();
                throw;
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

        lock (_gate)
        {
            Enter();
            WaitForKernels();
            d.View.CopyFromCPU(source);
            _accelerator.Synchronize();
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
            WaitForKernels();
            s.View.CopyToCPU(destination);
            _accelerator.Synchronize();
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
            _partials?.Dispose();
            _partials = null;
            _accelerator.Dispose();
            _ownedContext?.Dispose();
        }
    }

    /// <summary>Frees a tensor's buffer with this backend's accelerator bound (a no-op once the backend is gone).</summary>
    internal void Release(MemoryBuffer1D<float, Stride1D.Dense> buffer)
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                // A kernel still queued may read or write the buffer.
                _accelerator.Bind();
                WaitForKernels();
            }

            // After the backend's disposal the accelerator has already freed the buffer; Dispose is then a no-op.
            buffer.Dispose();
        }
    }

    private static int TileFor(Accelerator accelerator)
    {
        int tile = MaxTile;
        while (tile > 1 && tile * tile > accelerator.MaxNumThreadsPerGroup)
        {
            tile /= 2;
        }

        return tile;
    }

    private static bool ProbeCuda()
    {
        try
        {
            using Context context = Context.Create(builder => builder.Cuda());
            return context.GetCudaDevices().Count > 0;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A missing or broken driver surfaces as many exception types; each means "no usable device".
            return false;
        }
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

    /// <summary>
    /// Called under <see cref="_gate"/> before a copy: kernels are launched without waiting (the stream keeps them in
    /// order), but a copy must not overtake one that still reads or writes its buffer.
    /// </summary>
    private void WaitForKernels() => _accelerator.Synchronize();

    /// <summary>Called under <see cref="_gate"/> before device work: rejects use after disposal, binds the accelerator to this thread.</summary>
    private void Enter()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _accelerator.Bind();
    }
}
