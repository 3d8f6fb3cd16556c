using Pcn.Abstractions.Messages;

namespace Pcn.Benchmarks;

/// <summary>Measures tensor transfer from its silo to another probe's silo.</summary>
public interface ITransferProbeGrain : IGrainWithStringKey
{
    /// <summary>Sends <paramref name="count"/> B×N tensors to <paramref name="target"/>; returns seconds per transfer.</summary>
    Task<double> SendAsync(string target, int count, int rows, int columns, bool rawBytes);

    /// <summary>Receives a payload (the raw-byte codec).</summary>
    Task<int> AcceptPayloadAsync(TensorPayload payload);

    /// <summary>Receives a float[] (Orleans' default array codec, one field per element).</summary>
    Task<int> AcceptArrayAsync(float[] values);

    /// <summary>The silo hosting this probe.</summary>
    Task<string> GetSiloAsync();
}
