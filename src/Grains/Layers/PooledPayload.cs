using System.Buffers;
using Pcn.Abstractions.Messages;

namespace Pcn.Grains.Layers;

/// <summary>
/// A payload lent for one call: over a pooled array (returned on dispose) or a view of a layer's buffer (nothing to return).
/// </summary>
internal readonly struct PooledPayload(TensorPayload payload, float[]? pooled) : IDisposable
{
    public TensorPayload Payload { get; } = payload;

    public void Dispose()
    {
        if (pooled is not null)
        {
            ArrayPool<float>.Shared.Return(pooled);
        }
    }
}
