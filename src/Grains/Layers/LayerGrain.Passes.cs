using System.Diagnostics;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;
using Pcn.GpuKernels.Backends;
using Pcn.Grains.Exchange;
using Pcn.Network.Layers;

namespace Pcn.Grains.Layers;

/// <summary>
/// The layer's part of a batch, run by the layer itself. For PC, with z_ℓ^t the activity after t steps:
/// <list type="number">
/// <item>feedforward: μ_ℓ from z_{ℓ−1}^0 (x for layer 1), z_ℓ^0 = μ_ℓ, sent up;</item>
/// <item>step t = 0..T−1: the error ε_ℓ^t from z_{ℓ−1}^t (its energy recorded) and the feedback a_ℓ·d_ℓ^t·W_ℓ sent down;
/// then, once the feedback of layer ℓ+1 for step t is in, z_ℓ^{t+1} sent up;</item>
/// <item>the error after the last step (E_ℓ at t = T), and one report to the coordinator.</item>
/// </list>
/// These are exactly the single-process trainer's operations on this layer, each on the same operands, so the bits are
/// the same; only the order across layers differs, and no layer's arithmetic depends on it.
/// </summary>
internal sealed partial class LayerGrain
{
    private long _passStarted;

    private async Task TrainAsync(BatchCommand command)
    {
        ResetMessageCounts();
        double[] energies = [];
        string? failure = null;
        bool queued = false;
        try
        {
            if (command.Algorithm == Algorithm.Bp)
            {
                await BackpropagateAsync(command.Batch);
            }
            else
            {
                await InferAsync(command);
            }

            queued = true;
        }
        catch (Exception e)
        {
            failure = Describe(e);
        }

        try
        {
            // Energies and norms come back from a device backend with the other local layers' (one wait per batch);
            // a failed pass asks as well, so that the others are not kept waiting for it.
            await sums.ReadAsync(Setup.RunId, command.Batch, Layer.Sums);
            if (queued)
            {
                energies = command.Algorithm == Algorithm.Bp ? BackpropagationEnergies() : InferenceEnergies(command.Steps);
                _trainedBatch = command.Batch;
                RecordReadWeights();
            }
        }
        catch (Exception e) when (failure is null)
        {
            failure = Describe(e);
        }

        // A pass stopped because the layer is being built again (its run goes back to a checkpoint) reports nothing:
        // its batch number will come again, and its failure must not be taken for a failure of that batch.
        if (!_abandoning)
        {
            _ = Coordinator.LayerReportAsync(new LayerReport(Layer.Shape.Index, command.Batch, energies, _localSent, _remoteSent, failure));
        }
    }

    private async Task InferAsync(BatchCommand command)
    {
        PcLayer layer = Layer;
        int batch = command.Batch, steps = command.Steps;
        bool first = layer.Shape.Index == 1, output = layer.Shape.IsOutput;
        layer.EnsureSlots(steps);
        Tensor below = first ? Clamped : await ReceiveBelowAsync(batch, 0);
        layer.Forward(below);
        if (!output)
        {
            SendActivity(batch, 0);
        }

        _passStarted = Stopwatch.GetTimestamp();
        for (int t = 0; ; t++)
        {
            if (t > 0 && !first)
            {
                below = await ReceiveBelowAsync(batch, t);
            }

            layer.ComputeError(below, belowChanged: t > 0, output ? Clamped : null, Loss, t);
            if (t == steps)
            {
                break;
            }

            if (layer.Shape.ActivatesInput)
            {
                layer.ComputeFeedback();
                SendFeedback(batch, t);
            }

            if (!output)
            {
                NeighbourMessage above = await ReceiveAboveAsync(batch, t);
                layer.UpdateActivity(command.StepSize, above.Tensor, above.Error);
                SendActivity(batch, t + 1);
            }
        }
    }

    /// <summary>E_ℓ·B at steps 0..T from the read sums, and the layer's metrics.</summary>
    private double[] InferenceEnergies(int steps)
    {
        PcLayer layer = Layer;
        double[] energies = new double[steps + 1];
        for (int t = 0; t <= steps; t++)
        {
            energies[t] = layer.Energy(t);
        }

        instruments.LayerEnergy(Setup.RunId, layer.Shape.Index, energies[steps] / layer.BatchSize);
        if (steps > 0)
        {
            instruments.LayerStep(Setup.RunId, Stopwatch.GetElapsedTime(_passStarted) / steps);
            if (!layer.Shape.IsOutput)
            {
                instruments.LayerActivityGradient(Setup.RunId, layer.Shape.Index, layer.ActivityGradientRms);
            }
        }

        return energies;
    }

    /// <summary>Backprop through the chain: the forward pass up, the output's loss error, the backpropagated errors down.</summary>
    private async Task BackpropagateAsync(int batch)
    {
        PcLayer layer = Layer;
        bool output = layer.Shape.IsOutput;
        Tensor below = layer.Shape.Index == 1 ? Clamped : await ReceiveBelowAsync(batch, 0);
        layer.Forward(below);
        if (output)
        {
            layer.ComputeError(below, belowChanged: false, Clamped, Loss, step: 0);
        }
        else
        {
            SendActivity(batch, 0);
            NeighbourMessage above = await ReceiveAboveAsync(batch, 0);
            layer.Backpropagate(above.Tensor, above.Error);
        }

        if (layer.Shape.ActivatesInput)
        {
            layer.ComputeFeedback();
            SendFeedback(batch, 0);
        }
    }

    /// <summary>The output layer's loss energy (the only energy of a backprop batch).</summary>
    private double[] BackpropagationEnergies()
    {
        PcLayer layer = Layer;
        if (!layer.Shape.IsOutput)
        {
            return [];
        }

        double energy = layer.Energy(0);
        instruments.LayerEnergy(Setup.RunId, layer.Shape.Index, energy / layer.BatchSize);
        return [energy];
    }

    /// <summary>Feedforward passes of the test batches as their inputs arrive; the output layer sends each batch's logits.</summary>
    private async Task EvaluateAsync(EvaluationCommand command)
    {
        ResetMessageCounts();
        try
        {
            PcLayer layer = Layer;
            for (int index = 0; index < command.Batches; index++)
            {
                layer.Forward(await ReceiveBelowAsync(command.Pass, index));
                if (layer.Shape.IsOutput)
                {
                    _ = Coordinator.TestPredictionAsync(new TestPrediction(command.Pass, index, backend.ToPayload(layer.Prediction), null));
                }
                else
                {
                    SendActivity(command.Pass, index);
                }
            }
        }
        catch (Exception e) when (!_abandoning)
        {
            _ = Coordinator.TestPredictionAsync(new TestPrediction(command.Pass, -1, null, Describe(e)));
        }
        catch (Exception) when (_abandoning)
        {
            // Stopped because the layer is being built again: nobody waits for this evaluation any more.
        }
    }

    private string Describe(Exception e) => e is NeighbourProtocolException
        ? e.Message
        : $"layer {Layer.Shape.Index} of run {Setup.RunId}: {e.GetType().Name}: {e.Message}";
}
