using Pcn.Abstractions.Grains;
using Pcn.Abstractions.Messages;
using Pcn.GpuKernels.Backends;
using Pcn.Grains.Diagnostics;
using Pcn.Grains.Exchange;
using Pcn.Network.Structure;

namespace Pcn.Grains.Layers;

/// <summary>
/// Messages between neighbours. A layer sends its step's tensors to ℓ+1 (z) and ℓ−1 (feedback, error) through the
/// silo's <see cref="NeighbourExchange"/> when the neighbour is active on this silo — by reference, since what a layer
/// sends is double-buffered — and otherwise as an Orleans one-way message whose payload the codec writes as raw bytes.
/// A message from another silo is copied once into a staging tensor of the receiver (two per sender, by step parity)
/// and then waits in the inbox like a local one.
/// </summary>
internal sealed partial class LayerGrain
{
    private readonly Tensor?[] _staging = new Tensor?[6];
    private string? _belowKey;
    private string? _aboveKey;
    private ILayerGrain? _below;
    private ILayerGrain? _above;
    private LayerInbox? _belowInbox;
    private LayerInbox? _aboveInbox;
    private ICoordinatorInbox? _coordinator;
    private int _localSent;
    private int _remoteSent;

    private ICoordinatorInbox Coordinator => _coordinator ?? throw new InvalidOperationException($"Layer grain {this.GetPrimaryKeyString()} was not initialised.");

    /// <inheritdoc/>
    public Task DeliverActivityAsync(ActivityMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Stage(Sender.Below, message.Batch, message.Step, message.Activity, null, message.Generation);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task DeliverFeedbackAsync(FeedbackMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Stage(Sender.Above, message.Batch, message.Step, message.Feedback, message.Error, message.Generation);
        return Task.CompletedTask;
    }

    private void ConnectNeighbours(NetworkShape shape)
    {
        LayerSetup setup = Setup;
        int count = shape.LayerCount;
        _belowKey = setup.Layer > 1 ? LayerKeys.For(setup.RunId, setup.Layer - 1, count) : null;
        _aboveKey = setup.Layer < count ? LayerKeys.For(setup.RunId, setup.Layer + 1, count) : null;
        _below = _belowKey is null ? null : GrainFactory.GetGrain<ILayerGrain>(_belowKey);
        _above = _aboveKey is null ? null : GrainFactory.GetGrain<ILayerGrain>(_aboveKey);
        _belowInbox = _aboveInbox = null;
        _coordinator = GrainFactory.GetGrain<ICoordinatorInbox>(setup.RunId);
    }

    /// <summary>z_ℓ after step <paramref name="step"/> − 1 (the feedforward pass for step 0), to layer ℓ+1.</summary>
    private void SendActivity(int batch, int step)
    {
        Tensor z = Layer.Activity;
        instruments.Message(MessageKind.Activity, (long)z.Length * sizeof(float));
        if (TryHandOver(_aboveKey!, ref _aboveInbox, Sender.Below, new NeighbourMessage(batch, step, z, null, Setup.Generation)))
        {
            return;
        }

        _ = _above!.DeliverActivityAsync(new ActivityMessage(batch, step, backend.ToMessagePayload(z), Setup.Generation));
    }

    /// <summary>The feedback a_ℓ·d_ℓ·W_ℓ of step <paramref name="step"/>, and d_ℓ itself when this layer has a skip, to layer ℓ−1.</summary>
    private void SendFeedback(int batch, int step)
    {
        Tensor feedback = Layer.Feedback;
        Tensor? error = Layer.Shape.HasSkip ? Layer.Error : null;
        instruments.Message(MessageKind.Feedback, ((long)feedback.Length + (error?.Length ?? 0)) * sizeof(float));
        if (TryHandOver(_belowKey!, ref _belowInbox, Sender.Above, new NeighbourMessage(batch, step, feedback, error, Setup.Generation)))
        {
            return;
        }

        _ = _below!.DeliverFeedbackAsync(new FeedbackMessage(batch, step, backend.ToMessagePayload(feedback), error is null ? null : backend.ToMessagePayload(error), Setup.Generation));
    }

    /// <summary>Deposits into the neighbour's inbox when it is active on this silo; false when it must go through Orleans.</summary>
    private bool TryHandOver(string neighbourKey, ref LayerInbox? inbox, Sender sender, NeighbourMessage message)
    {
        if (inbox is null || !inbox.IsOpen)
        {
            inbox = exchange.Find(neighbourKey);
        }

        if (inbox is not null && inbox.Deposit(sender, message))
        {
            _localSent++;
            return true;
        }

        inbox = null;
        _remoteSent++;
        return false;
    }

    private async ValueTask<Tensor> ReceiveBelowAsync(int batch, int step) => (await Inbox.ReceiveAsync(Sender.Below, batch, step)).Tensor;

    private ValueTask<NeighbourMessage> ReceiveAboveAsync(int batch, int step) => Inbox.ReceiveAsync(Sender.Above, batch, step);

    /// <summary>A message from another silo: copied into this layer's staging tensors for its slot, then left in the inbox.</summary>
    private void Stage(Sender sender, int batch, int step, TensorPayload first, TensorPayload? second, int generation)
    {
        LayerInbox inbox = Inbox;
        if (!inbox.IsCurrent(generation))
        {
            // Sent before the layers were built again: dropped before it can take a staging tensor.
            return;
        }

        if (!inbox.IsFree(sender, step))
        {
            // Its slot still holds the message of step − 2: copying would overwrite what the loop has not read yet.
            inbox.Overrun(sender, batch, step);
            return;
        }

        int slot = ((int)sender * 2) + (step & 1);
        Tensor tensor = backend.Receive(first, ref _staging[slot]);
        Tensor? error = second is null ? null : backend.Receive(second, ref _staging[4 + (step & 1)]);
        inbox.Deposit(sender, new NeighbourMessage(batch, step, tensor, error, generation));
    }

    private void ResetMessageCounts() => (_localSent, _remoteSent) = (0, 0);

    private void ReleaseStaging()
    {
        for (int i = 0; i < _staging.Length; i++)
        {
            _staging[i]?.Dispose();
            _staging[i] = null;
        }
    }
}
