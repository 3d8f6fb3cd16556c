using Orleans.Runtime;
using Pcn.Abstractions.Grains;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;
using Pcn.GpuKernels.Backends;
using Pcn.Grains.Diagnostics;
using Pcn.Grains.Exchange;
using Pcn.Grains.Placement;
using Pcn.Network.Checkpoints;
using Pcn.Network.Layers;
using Pcn.Network.Structure;

namespace Pcn.Grains.Layers;

/// <summary>
/// One layer of one run. It wraps the same <see cref="PcLayer"/> the single-process trainer uses, on the silo's
/// backend, so the two compute identical bits. The coordinator starts a batch with one command; the layer then runs
/// its part of the batch itself (LayerGrain.Passes.cs), taking each step as soon as its neighbours' messages for that
/// step are in its inbox (LayerGrain.Neighbours.cs), and reports once when done. The weight update of a batch is
/// applied only when the coordinator commits it, after checking the batch did not diverge.
/// </summary>
[ContiguousBlockPlacement]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "An activation releases its tensors in OnDeactivateAsync and ReleaseAsync; Orleans owns its lifetime.")]
internal sealed partial class LayerGrain(IPcBackend backend, NeighbourExchange exchange, SumsReader sums, ILocalSiloDetails silo, PcnInstruments instruments) : Grain, ILayerGrain
{
    private PcLayer? _layer;
    private LayerSetup? _setup;
    private LayerInbox? _inbox;
    private Tensor? _clamped;
    private Task _pass = Task.CompletedTask;
    private int _passBatch;
    private int _trainedBatch;
    private int _committedBatch;
    private bool _abandoning;
    private bool _weightsMeasured;

    private PcLayer Layer => _layer ?? throw new InvalidOperationException($"Layer grain {this.GetPrimaryKeyString()} was not initialised.");

    private LayerSetup Setup => _setup ?? throw new InvalidOperationException($"Layer grain {this.GetPrimaryKeyString()} was not initialised.");

    private LayerInbox Inbox => _inbox ?? throw new InvalidOperationException($"Layer grain {this.GetPrimaryKeyString()} is not active.");

    /// <inheritdoc/>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        (string run, int layer, _) = LayerKeys.Parse(this.GetPrimaryKeyString());
        _inbox = new LayerInbox($"layer {layer} of run {run}");
        exchange.Register(this.GetPrimaryKeyString(), _inbox);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task InitializeAsync(LayerSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        await StopPassAsync("its run is starting again from a checkpoint");
        Inbox.Reset(setup.Generation);
        var shape = new NetworkShape(setup.Network);
        LayerShape layer = shape[setup.Layer];
        Release();
        _layer = new PcLayer(backend, layer, setup.Network.Activation, await Task.Run(() => InitialWeights(setup, layer)));
        if (setup.Restore is { } part)
        {
            await Task.Run(() => LayerCheckpoint.Load(_layer, part.Path, part.Sha256));
        }

        _setup = setup;
        _passBatch = _trainedBatch = _committedBatch = 0;
        ConnectNeighbours(shape);

        // The layer's weights live only in this activation: it must not be collected while its run may still use it
        // (a deep batch can leave it without a grain call for a long time). ReleaseAsync lets it go.
        DelayDeactivation(TimeSpan.MaxValue);
        instruments.LayerStarted(setup.RunId, setup.Layer);
    }

    /// <inheritdoc/>
    public async Task<CheckpointPart> SaveCheckpointAsync(string directory)
    {
        RequireIdle("a checkpoint");
        if (_trainedBatch != _committedBatch)
        {
            throw new InvalidOperationException($"Layer {Layer.Shape.Index} of run {Setup.RunId} has an uncommitted update (batch {_trainedBatch}); a checkpoint is taken only between batches.");
        }

        PcLayer layer = Layer;
        string path = Path.Combine(directory, LayerCheckpoint.FileName(layer.Shape.Index));
        (long bytes, string sha256) = await Task.Run(() => LayerCheckpoint.Save(layer, backend, path));
        return new CheckpointPart(layer.Shape.Index, path, bytes, sha256);
    }

    /// <inheritdoc/>
    public Task BeginBatchAsync(BatchCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        RequireIdle($"batch {command.Batch}");
        if (command.Commit is { } update)
        {
            Commit(update);
        }

        if (command.Clamp is { } values)
        {
            if (Layer.Shape.Index != 1 && !Layer.Shape.IsOutput)
            {
                throw new InvalidOperationException($"Only layer 1 (x) and the output layer (y) are clamped, not layer {Layer.Shape.Index}.");
            }

            backend.Receive(values, ref _clamped);
        }

        // A fault is not cleared here: a neighbour's first message of this batch may already be in the inbox, and a
        // bad message that came before the command must still fail the batch.
        _passBatch = command.Batch;
        sums.Join(Setup.RunId, command.Batch);
        _pass = TrainAsync(command);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task BeginEvaluationAsync(EvaluationCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        RequireIdle($"evaluation pass {command.Pass}");

        // A run that failed left its layers' inboxes aborted; an evaluation may still follow (`pcn eval`). No test
        // batch can have arrived yet: the coordinator sends the first only when every layer has taken this command.
        Inbox.ClearFault();
        _passBatch = command.Pass;
        _pass = EvaluateAsync(command);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task CommitAsync(WeightUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        RequireIdle($"the update of batch {update.Batch}");
        Commit(update);

        // No batch follows whose read would bring the norms back: read them now (the end of a run).
        return RecordWeightsAsync();
    }

    /// <inheritdoc/>
    public Task AbortAsync(string reason)
    {
        Inbox.Abort(reason);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<bool> HasStartedAsync(int pass) => Task.FromResult(_layer is not null && _passBatch == pass);

    /// <inheritdoc/>
    public Task<bool> IsInitializedAsync() => Task.FromResult(_layer is not null);

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

        Inbox.Abort("the run was dropped");
        Release();
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_inbox is not null)
        {
            exchange.Unregister(this.GetPrimaryKeyString(), _inbox);
        }

        Release();
        return Task.CompletedTask;
    }

    /// <summary>The gradient at the errors of the last trained batch, and one Adam step.</summary>
    private void Commit(WeightUpdate update)
    {
        if (update.Batch != _trainedBatch || update.Batch == _committedBatch)
        {
            throw new InvalidOperationException($"Layer {Layer.Shape.Index} of run {Setup.RunId} cannot commit batch {update.Batch}: it last trained batch {_trainedBatch} and last committed batch {_committedBatch}.");
        }

        _committedBatch = update.Batch;
        if (!Setup.Trained)
        {
            // A frozen layer (--train-layers) keeps W_ℓ(0) bit for bit; its batch still counts as committed.
            return;
        }

        Layer.UpdateWeights(update.GradientFactor, update.LearningRate, update.Beta1, update.Beta2, update.Epsilon);
        if (instruments.Enabled)
        {
            // ‖W‖ and ‖ΔW‖ are read with the next batch's sums (a device backend does not wait here).
            Layer.MeasureWeights();
            _weightsMeasured = true;
        }
    }

    /// <inheritdoc/>
    public async Task<LayerLearning> MeasureLearningAsync()
    {
        RequireIdle("a learning measurement");
        PcLayer layer = Layer;
        LayerLearning learning = backend.DefersWork ? await Task.Run(layer.MeasureLearning) : layer.MeasureLearning();
        instruments.LayerLearning(Setup.RunId, layer.Shape.Index, learning);
        return learning;
    }

    /// <summary>Records ‖W‖ and ‖ΔW‖ of the last commit once its sums have been read.</summary>
    private async Task RecordWeightsAsync()
    {
        if (!_weightsMeasured)
        {
            return;
        }

        PcLayer layer = Layer;
        if (backend.DefersWork)
        {
            await Task.Run(layer.ReadSums);
        }

        RecordReadWeights();
    }

    private void RecordReadWeights()
    {
        if (_weightsMeasured)
        {
            _weightsMeasured = false;
            instruments.LayerWeights(Setup.RunId, Layer.Shape.Index, Layer.WeightNorm, Layer.UpdateNorm);
        }
    }

    /// <summary>The seed's initial W_ℓ, or W_ℓ of an exported network.</summary>
    private static double[] InitialWeights(LayerSetup setup, LayerShape layer)
    {
        if (setup.InitFrom is not { } file)
        {
            return WeightInitialiser.Initial(setup.Network, layer);
        }

        float[] weights = LayerCheckpoint.ReadWeights(file, new LayerShapeInfo(layer.Index, layer.OutputDim, layer.InputDim));
        return Array.ConvertAll(weights, w => (double)w);
    }

    /// <summary>
    /// Ends a pass still in flight (its run lost another layer and starts again from a checkpoint): the inbox stops it,
    /// and the fault it leaves is cleared once the pass is over.
    /// </summary>
    private async Task StopPassAsync(string reason)
    {
        if (!_pass.IsCompleted)
        {
            _abandoning = true;
            Inbox.Abort(reason);
            try
            {
                await _pass;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A pass ends by reporting, not by throwing; nothing else can come from it.
            }
            finally
            {
                _abandoning = false;
            }
        }

        Inbox.ClearFault();
    }

    private void RequireIdle(string what)
    {
        if (!_pass.IsCompleted)
        {
            throw new InvalidOperationException($"Layer {Layer.Shape.Index} of run {Setup.RunId} cannot start {what}: it is still running pass {_passBatch}.");
        }
    }

    private Tensor Clamped => _clamped ?? throw new InvalidOperationException($"Layer {Layer.Shape.Index} of run {Setup.RunId} has no clamped batch.");

    private LossKind Loss => Setup.Network.Loss;

    private void Release()
    {
        _layer?.Dispose();
        _clamped?.Dispose();
        ReleaseStaging();
        _layer = null;
        _clamped = null;
    }
}
