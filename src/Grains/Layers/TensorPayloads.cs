using System.Buffers;
using Pcn.Abstractions.Messages;
using Pcn.GpuKernels.Backends;
using Pcn.GpuKernels.Backends.Cpu;

namespace Pcn.Grains.Layers;

/// <summary>Moves tensors between a backend and messages.</summary>
internal static class TensorPayloads
{
    /// <summary>A new payload holding a copy of <paramref name="tensor"/>; the layer keeps mutating its own tensor.</summary>
    public static TensorPayload ToPayload(this IPcBackend backend, Tensor tensor)
    {
        float[] values = new float[tensor.Length];
        backend.Download(tensor, values);
        return new TensorPayload(tensor.Rows, tensor.Columns, values);
    }

    /// <summary>
    /// A payload with the values of <paramref name="tensor"/>, valid until the call that sends it has completed (the
    /// receiver has copied it by then): a view of host memory, or a copy of device memory in a pooled array. Activities and feedback are sent
    /// every inference step, and at N = 512 each is a large-object-heap array: pooling keeps the GC out of training.
    /// </summary>
    public static PooledPayload RentPayload(this IPcBackend backend, Tensor tensor)
    {
        if (tensor is CpuTensor host)
        {
            // Host memory needs no copy: the payload views the layer's own buffer. That is safe because every send
            // is awaited before the layer touches the buffer again, and receivers copy (or serialise) it within the
            // call; no one keeps the payload after the call completes.
            return new PooledPayload(TensorPayload.OverPooled(tensor.Rows, tensor.Columns, host.Data), null);
        }

        float[] values = ArrayPool<float>.Shared.Rent(tensor.Length);
        backend.Download(tensor, values.AsSpan(0, tensor.Length));
        return new PooledPayload(TensorPayload.OverPooled(tensor.Rows, tensor.Columns, values), values);
    }

    /// <summary>Copies <paramref name="payload"/> into <paramref name="tensor"/>, (re)allocating it when the shape differs.</summary>
    public static Tensor Receive(this IPcBackend backend, TensorPayload payload, ref Tensor? tensor)
    {
        if (tensor is null || tensor.Rows != payload.Rows || tensor.Columns != payload.Columns)
        {
            tensor?.Dispose();
            tensor = backend.Allocate(payload.Rows, payload.Columns);
        }

        backend.Upload(payload.Values, tensor);
        return tensor;
    }
}
