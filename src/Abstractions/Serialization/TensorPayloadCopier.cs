using Orleans.Serialization;
using Orleans.Serialization.Cloning;
using Pcn.Abstractions.Messages;

namespace Pcn.Abstractions.Serialization;

/// <summary>Inside a silo a payload is passed by reference: it is immutable, so "copying" returns the same object.</summary>
[RegisterCopier]
internal sealed class TensorPayloadCopier : IDeepCopier<TensorPayload>
{
    /// <inheritdoc/>
    public TensorPayload? DeepCopy(TensorPayload? input, CopyContext context) => input;
}
