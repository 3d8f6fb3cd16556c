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
    /// A payload with the values of <paramref name="tensor"/> for a message to another silo: a view of host memory
    /// (no copy; the layer's double-buffering keeps it unwritten until the neighbour has answered), or a copy of
    /// device memory.
    /// </summary>
    public static TensorPayload ToMessagePayload(this IPcBackend backend, Tensor tensor) => tensor is CpuTensor host
        ? TensorPayload.View(tensor.Rows, tensor.Columns, host.Data)
        : backend.ToPayload(tensor);

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
