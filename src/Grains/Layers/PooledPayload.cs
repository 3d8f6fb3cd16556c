using System.Buffers;
using Pcn.Abstractions.Messages;

namespace Pcn.Grains.Layers;

/// <summary>A payload over a pooled array; disposing returns the array (once the sending call has completed).</summary>
internal readonly struct PooledPayload(TensorPayload payload, float[] array) : IDisposable
{
    public TensorPayload Payload { get; } = payload;

    public void Dispose() => ArrayPool<float>.Shared.Return(array);
}
