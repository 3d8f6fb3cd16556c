using Orleans.Runtime;
using Pcn.Abstractions.Grains;
using Pcn.Abstractions.Messages;
using Pcn.GpuKernels.Backends;
using Pcn.GpuKernels.Layers;
using Pcn.GpuKernels.Network;
using Pcn.Grains.Diagnostics;
using Pcn.Grains.Placement;

namespace Pcn.Grains.Layers;

/// <summary>
/// One layer of one run. It wraps the same <see cref="PcLayer"/> the single-process trainer uses, on the silo's
/// backend, so the two compute identical bits. Tensors arrive in the inbox as payloads and are copied into the
/// layer's own buffers; what the layer sends is a fresh payload, never a buffer it will mutate.
/// </summary>
[ContiguousBlockPlacement]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "An activation releases its tensors in OnDeactivateAsync and ReleaseAsync; Orleans owns its lifetime.")]
public sealed class LayerGrain(IPcBackend backend, ILocalSiloDetails silo, PcnInstruments instruments) : Grain, ILayerGrain
{
    private PcLayer? _layer;
    private LayerSetup? _setup;
    private ILayerGrain? _below;
    private ILayerGrain? _above;
    private Tensor? _clamped;
    private Tensor? _activityBelow;
    private Tensor? _feedbackAbove;
    private Tensor? _errorAbove;
    private bool _aboveSendsError;

    private PcLayer Layer => _layer ?? throw new InvalidOperationException($"Layer grain {this.GetPrimaryKeyString()} was not initialised.");

    /// <inheritdoc/>
    public Task InitializeAsync(LayerSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var shape = new NetworkShape(setup.Network);
        LayerShape layer = shape[setup.Layer];
        _layer?.Dispose();
        _layer = new PcLayer(backend, layer, setup.Network.Activation, WeightInitialiser.Initial(setup.Network, layer));
        _setup = setup;
        int count = shape.LayerCount;
        _below = setup.Layer > 1 ? GrainFactory.GetGrain<ILayerGrain>(LayerKeys.For(setup.RunId, setup.Layer - 1, count)) : null;
        _above = setup.Layer < count ? GrainFactory.GetGrain<ILayerGrain>(LayerKeys.For(setup.RunId, setup.Layer + 1, count)) : null;
        _aboveSendsError = setup.Layer < count && shape[setup.Layer + 1].HasSkip;
        instruments.LayerStarted(setup.RunId, setup.Layer);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task ClampAsync(int batch, TensorPayload values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (Layer.Shape.Index != 1 && !Layer.Shape.IsOutput)
        {
            throw new InvalidOperationException($"Only layer 1 (x) and the output layer (y) are clamped, not layer {Layer.Shape.Index}.");
        }

        backend.Receive(values, ref _clamped);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task ForwardAsync(int batch)
    {
        Layer.Forward(Below);
        if (_above is not null)
        {
            using PooledPayload z = backend.RentPayload(Layer.Activity);
            instruments.Message(MessageKind.Activity, z.Payload.Bytes.Length);
            await _above.DepositActivityAsync(new ActivityMessage(batch, -1, z.Payload));
        }
    }

    /// <inheritdoc/>
    public async Task<double> ComputeErrorAsync(StepCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        double energy = Layer.ComputeError(Below, command.BelowChanged, Layer.Shape.IsOutput ? Clamped : null, _setup!.Network.Loss);
        if (command.SendFeedback && _below is not null)
        {
            await SendFeedbackAsync(command.Batch, command.Step);
        }
        else if (!command.SendFeedback)
        {
            // The errors after the last step: this is the layer's energy after inference.
            instruments.LayerEnergy(_setup.RunId, Layer.Shape.Index, energy / Layer.BatchSize);
        }

        return energy;
    }

    /// <inheritdoc/>
    public async Task UpdateActivityAsync(StepCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        double gradientRms = Layer.UpdateActivity(command.StepSize, FeedbackAbove, _aboveSendsError ? ErrorAbove : null);
        instruments.LayerActivityGradient(_setup!.RunId, Layer.Shape.Index, gradientRms);
        using PooledPayload z = backend.RentPayload(Layer.Activity);
        instruments.Message(MessageKind.Activity, z.Payload.Bytes.Length);
        await _above!.DepositActivityAsync(new ActivityMessage(command.Batch, command.Step, z.Payload));
    }

    /// <inheritdoc/>
    public async Task BackpropagateAsync(int batch)
    {
        if (!Layer.Shape.IsOutput)
        {
            Layer.Backpropagate(FeedbackAbove, _aboveSendsError ? ErrorAbove : null);
        }

        if (_below is not null)
        {
            await SendFeedbackAsync(batch, -1);
        }
    }

    /// <inheritdoc/>
    public Task UpdateWeightsAsync(WeightUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        double updateNorm = Layer.UpdateWeights(update.GradientFactor, update.LearningRate, update.Beta1, update.Beta2, update.Epsilon);
        if (instruments.Enabled)
        {
            instruments.LayerWeights(_setup!.RunId, Layer.Shape.Index, Math.Sqrt(backend.SumOfSquares(Layer.Weights)), updateNorm);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<TensorPayload> GetPredictionAsync() => Task.FromResult(backend.ToPayload(Layer.Prediction));

    /// <inheritdoc/>
    public Task<TensorPayload> GetWeightsAsync() => Task.FromResult(backend.ToPayload(Layer.Weights));

    /// <inheritdoc/>
    public Task<string> GetSiloAsync() => Task.FromResult(silo.SiloAddress.Endpoint.ToString());

    /// <inheritdoc/>
    public Task ReleaseAsync()
    {
        if (_setup is not null)
        {
            instruments.DropLayer(_setup.RunId, _setup.Layer);
        }

        Release();
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task DepositActivityAsync(ActivityMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        backend.Receive(message.Activity, ref _activityBelow);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task DepositFeedbackAsync(FeedbackMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        backend.Receive(message.Feedback, ref _feedbackAbove);
        if (message.Error is not null)
        {
            backend.Receive(message.Error, ref _errorAbove);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Release();
        return Task.CompletedTask;
    }

    private Tensor Below => Layer.Shape.Index == 1 ? Clamped : _activityBelow ?? throw Missing("z from layer " + (Layer.Shape.Index - 1));

    private Tensor Clamped => _clamped ?? throw Missing("the clamped batch");

    private Tensor FeedbackAbove => _feedbackAbove ?? throw Missing("feedback from layer " + (Layer.Shape.Index + 1));

    private Tensor ErrorAbove => _errorAbove ?? throw Missing("the error of layer " + (Layer.Shape.Index + 1));

    private InvalidOperationException Missing(string what) => new($"Layer {Layer.Shape.Index} of run {_setup?.RunId} has not received {what}.");

    private async Task SendFeedbackAsync(int batch, int step)
    {
        Layer.ComputeFeedback();
        using PooledPayload feedback = backend.RentPayload(Layer.Feedback);
        PooledPayload? error = Layer.Shape.HasSkip ? backend.RentPayload(Layer.Error) : null;
        instruments.Message(MessageKind.Feedback, feedback.Payload.Bytes.Length + (error?.Payload.Bytes.Length ?? 0));
        try
        {
            await _below!.DepositFeedbackAsync(new FeedbackMessage(batch, step, feedback.Payload, error?.Payload));
        }
        finally
        {
            error?.Dispose();
        }
    }

    private void Release()
    {
        _layer?.Dispose();
        _clamped?.Dispose();
        _activityBelow?.Dispose();
        _feedbackAbove?.Dispose();
        _errorAbove?.Dispose();
        _layer = null;
        _clamped = _activityBelow = _feedbackAbove = _errorAbove = null;
    }
}
