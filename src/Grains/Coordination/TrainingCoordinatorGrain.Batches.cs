using Pcn.Abstractions.Grains;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;
using Pcn.Data;
using Pcn.Network.Training;

namespace Pcn.Grains.Coordination;

/// <summary>
/// The batch protocol. Per batch the coordinator makes L calls (one <see cref="BatchCommand"/> per layer, carrying x to
/// layer 1, y to the output layer and the previous batch's weight update to all) and takes L reports, with one
/// barrier: it waits for every report before it checks the batch and starts the next. The layers exchange 2·T·H
/// neighbour messages among themselves (PC) without the coordinator.
/// </summary>
internal sealed partial class TrainingCoordinatorGrain
{
    /// <summary>How long the coordinator waits for reports before it checks that the layers it waits for still exist.</summary>
    private static readonly TimeSpan LivenessCheckInterval = TimeSpan.FromSeconds(5);

    private readonly BatchReports _reports = new();
    private ProtocolCounts _protocol = ProtocolCounts.Zero;
    private WeightUpdate? _pendingCommit;

    /// <summary>
    /// Trains one batch through the layers and checks it as the single-process trainer does: the first non-finite
    /// energy in (step, layer) order is a divergence naming that layer and step. Only a batch that passes has its
    /// weight update committed, with the next batch's command or before an evaluation.
    /// </summary>
    /// <returns>The feedforward train loss and E_ℓ/B after inference (PC; empty for BP).</returns>
    private async Task<(double Loss, double[] Energies)> TrainBatchAsync(int batch, BatchBuffers buffers)
    {
        RunRequest request = _request!;
        TrainingOptions training = request.Training;
        int rows = training.BatchSize, steps = _schedule!.Steps;
        var command = new BatchCommand(batch, training.Algorithm, steps, training.InferenceRate / rows, _pendingCommit, null);
        _pendingCommit = null;

        // x and y are the coordinator's reused buffers: the layers copy them in the call, and every call has returned
        // before the buffers are filled again.
        var x = new TensorPayload(rows, request.Network.InputDim, buffers.X);
        var y = new TensorPayload(rows, request.Network.OutputDim, buffers.Y);
        Task<LayerReport[]> reported = _reports.Expect(batch, _layers.Length);
        Task begun = Task.WhenAll(_layers.Select((layer, i) => layer.BeginBatchAsync(
            i == 0 ? command with { Clamp = x } : i == _layers.Length - 1 ? command with { Clamp = y } : command)));
        _protocol = _protocol with { Batches = _protocol.Batches + 1, CoordinatorCalls = _protocol.CoordinatorCalls + _layers.Length, Barriers = _protocol.Barriers + 1 };

        // A command refused by a layer means no report will come from it: stop waiting at once.
        if (await Task.WhenAny(reported, begun) == begun)
        {
            await begun;
        }

        LayerReport[] reports = await WatchAsync(reported, batch, _reports.Missing);
        await begun;
        (double loss, double[] energies) = training.Algorithm == Algorithm.Bp ? CheckBackprop(reports, rows) : CheckInference(reports, steps, rows);
        _pendingCommit = new WeightUpdate(
            batch,
            training.Algorithm == Algorithm.Bp ? GradientFactors.Backprop(request.Network.Loss, rows, request.Network.OutputDim) : GradientFactors.PredictiveCoding(rows),
            training.LearningRate,
            training.AdamBeta1,
            training.AdamBeta2,
            training.AdamEpsilon);
        return (loss, energies);
    }

    /// <summary>
    /// Waits for <paramref name="pending"/>, and every <see cref="LivenessCheckInterval"/> without it asks the layers it
    /// still waits for whether they are the activations that started <paramref name="pass"/>. A layer whose silo died
    /// is gone with its state (its next call makes a fresh activation): the pass can never end, so it fails, naming
    /// the layer.
    /// </summary>
    private async Task<T> WatchAsync<T>(Task<T> pending, int pass, Func<IEnumerable<int>> waitingFor)
    {
        while (await Task.WhenAny(pending, Task.Delay(LivenessCheckInterval)) != pending)
        {
            foreach (int layer in waitingFor().ToArray())
            {
                bool alive;
                try
                {
                    alive = await _layers[layer - 1].HasStartedAsync(pass);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    throw new LayerLostException($"{Describe(pass)}: layer {layer} cannot be reached ({e.GetType().Name}: {FirstLine(e.Message)})", e);
                }

                if (!alive)
                {
                    throw new LayerLostException($"{Describe(pass)}: layer {layer} lost its state (its silo went away) and can never finish");
                }
            }
        }

        return await pending;
    }

    private static string Describe(int pass) => pass > 0 ? $"batch {pass}" : $"evaluation {-pass}";

    /// <summary>Commits the last checked batch's weight update now (before an evaluation, and when the run ends).</summary>
    private async Task FlushCommitAsync()
    {
        if (_pendingCommit is not { } update)
        {
            return;
        }

        _pendingCommit = null;
        await Task.WhenAll(_layers.Select(l => l.CommitAsync(update)));
        _protocol = _protocol with { CoordinatorCalls = _protocol.CoordinatorCalls + _layers.Length, Barriers = _protocol.Barriers + 1 };
    }

    /// <summary>The trainer's checks of one PC batch: energies in (t, ℓ) order, then the train loss and final energies.</summary>
    private static (double Loss, double[] Energies) CheckInference(LayerReport[] reports, int steps, int rows)
    {
        foreach (LayerReport report in reports)
        {
            if (report.StepEnergies.Length != steps + 1)
            {
                throw new LayerFailedException($"batch {report.Batch}: layer {report.Layer} reported {report.StepEnergies.Length} step energies for T = {steps}");
            }
        }

        for (int t = 0; t <= steps; t++)
        {
            for (int i = 0; i < reports.Length; i++)
            {
                double energy = reports[i].StepEnergies[t];
                if (!double.IsFinite(energy))
                {
                    throw new DivergenceException(i + 1, t, energy, t == 0 ? "the feedforward activities" : "inference");
                }
            }
        }

        double[] energies = new double[reports.Length];
        for (int i = 0; i < reports.Length; i++)
        {
            energies[i] = reports[i].StepEnergies[steps] / rows;
        }

        return (reports[^1].StepEnergies[0] / rows, energies);
    }

    /// <summary>The trainer's check of one BP batch: the output loss of the forward pass.</summary>
    private static (double Loss, double[] Energies) CheckBackprop(LayerReport[] reports, int rows)
    {
        LayerReport output = reports[^1];
        if (output.StepEnergies.Length != 1)
        {
            throw new LayerFailedException($"batch {output.Batch}: the output layer reported {output.StepEnergies.Length} losses, not 1");
        }

        double energy = output.StepEnergies[0];
        if (!double.IsFinite(energy))
        {
            throw new DivergenceException(reports.Length, -1, energy, "the feedforward pass");
        }

        return (energy / rows, []);
    }
}
