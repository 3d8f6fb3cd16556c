using System.Diagnostics;
using Pcn.Abstractions.Messages;
using Pcn.Grains.Placement;

namespace Pcn.Benchmarks;

/// <summary>
/// Probes keyed like layers ("probe/ℓ/2") so the contiguous-block placement puts probe 1 and probe 2 on different
/// silos; a call from one to the other crosses silos and goes through serialisation.
/// </summary>
[ContiguousBlockPlacement]
public sealed class TransferProbeGrain(Orleans.Runtime.ILocalSiloDetails silo) : Grain, ITransferProbeGrain
{
    public async Task<double> SendAsync(string target, int count, int rows, int columns, bool rawBytes)
    {
        ITransferProbeGrain other = GrainFactory.GetGrain<ITransferProbeGrain>(target);
        var random = new Random(1);
        float[] values = Enumerable.Range(0, rows * columns).Select(_ => (float)random.NextDouble()).ToArray();
        var payload = new TensorPayload(rows, columns, values);
        for (int i = 0; i < 20; i++)
        {
            await (rawBytes ? other.AcceptPayloadAsync(payload) : other.AcceptArrayAsync(values));
        }

        var clock = Stopwatch.StartNew();
        for (int i = 0; i < count; i++)
        {
            await (rawBytes ? other.AcceptPayloadAsync(payload) : other.AcceptArrayAsync(values));
        }

        return clock.Elapsed.TotalSeconds / count;
    }

    public Task<int> AcceptPayloadAsync(TensorPayload payload) => Task.FromResult(payload.Rows);

    public Task<int> AcceptArrayAsync(float[] values) => Task.FromResult(values.Length);

    public Task<string> GetSiloAsync() => Task.FromResult(silo.SiloAddress.Endpoint.ToString());
}
