using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;
using Pcn.GpuKernels.Backends;
using Pcn.GpuKernels.Backends.Cpu;
using Pcn.Network.Layers;
using Pcn.Network.Structure;

namespace Pcn.Network.Training;

/// <summary>
/// The whole network in one process: the L layers and the schedule of the architecture (clamp, feedforward, T
/// inference steps of two phases — every layer's error and feedback, then every activity step — and the weight
/// update). The inference steps run as a wavefront over the cores when they can all be had at once
/// (<see cref="WavefrontInference"/>: no barrier per step), and as phases split over the cores otherwise (one core, or
/// called from inside another parallel job); results are the same bits either way, because each layer's arithmetic
/// is sequential and its operands are the same. This is the oracle for the actor system and the baseline for its
/// overhead.
/// </summary>
public sealed class PcNetwork : IDisposable
{
    private readonly IPcBackend _backend;
    private readonly PcLayer[] _layers;
    private readonly Scalars[] _sums;
    private readonly ErrorPhase _errorPhase;
    private readonly ActivityPhase _activityPhase;
    private readonly WeightPhase _weightPhase;
    private readonly WavefrontInference _wavefront;
    private bool _predictionsFresh;
    private Tensor? _input;
    private Tensor? _target;

    /// <summary>Builds the network with weights from <see cref="WeightInitialiser"/> for <paramref name="options"/>.</summary>
    public PcNetwork(IPcBackend backend, NetworkOptions options)
    {
        _backend = backend;
        Shape = new NetworkShape(options);
        _layers = new PcLayer[Shape.LayerCount];
        for (int i = 0; i < _layers.Length; i++)
        {
            LayerShape layer = Shape.Layers[i];
            _layers[i] = new PcLayer(backend, layer, options.Activation, WeightInitialiser.Initial(options, layer));
        }

        _sums = new Scalars[_layers.Length];
        _errorPhase = new ErrorPhase(this);
        _activityPhase = new ActivityPhase(this);
        _weightPhase = new WeightPhase(this);
        _wavefront = new WavefrontInference(_layers, Below);
    }

    /// <summary>
    /// How a phase uses the cores: true runs the layers of a phase in parallel (each product on one core), false runs
    /// layers one after another with every product split over the cores. Results are identical either way.
    /// </summary>
    public bool ParallelOverLayers { get; set; } = true;

    /// <summary>The layers and multipliers.</summary>
    public NetworkShape Shape { get; }

    /// <summary>How many inference calls ran as a wavefront (the rest ran in phases), so tests can tell which ran.</summary>
    internal int WavefrontInferences { get; private set; }

    /// <summary>The backend that owns every tensor.</summary>
    public IPcBackend Backend => _backend;

    /// <summary>Layer ℓ (1-based).</summary>
    public PcLayer Layer(int index) => _layers[index - 1];

    /// <summary>Clamps a batch: x (B × D) to layer 1, the one-hot y (B × d_y) to the output.</summary>
    public void Clamp(ReadOnlySpan<float> x, ReadOnlySpan<float> y, int batchSize)
    {
        NetworkOptions o = Shape.Options;
        if (x.Length != batchSize * o.InputDim || y.Length != batchSize * o.OutputDim)
        {
            throw new ArgumentException($"Clamp: x has {x.Length} values and y {y.Length}, but a batch of {batchSize} needs {batchSize * o.InputDim} and {batchSize * o.OutputDim}.");
        }

        EnsureBatch(batchSize);
        _backend.Upload(x, _input!);
        _backend.Upload(y, _target!);
    }

    /// <summary>Clamps a batch given in double (golden tests).</summary>
    public void Clamp(ReadOnlySpan<double> x, ReadOnlySpan<double> y, int batchSize)
    {
        EnsureBatch(batchSize);
        _backend.Upload(x, _input!);
        _backend.Upload(y, _target!);
    }

    /// <summary>Feedforward pass from the clamped x: every z_ℓ = μ_ℓ, and the output holds ŷ.</summary>
    public void Feedforward()
    {
        Tensor below = _input ?? throw new InvalidOperationException("Clamp a batch before the feedforward pass.");
        foreach (PcLayer layer in _layers)
        {
            layer.Forward(below);
            below = layer.Activity;
        }

        _predictionsFresh = true;
    }

    /// <summary>
    /// One PC training iteration on the clamped batch (spec §3–§4): feedforward, T steps of gradient descent on the
    /// activities with step β, then one Adam step on ∂F/∂W at the final activities.
    /// </summary>
    /// <param name="steps">T.</param>
    /// <param name="beta">β; the per-sample step is β/B because F is a batch mean.</param>
    /// <param name="training">η and Adam's constants.</param>
    /// <param name="stepEnergies">Receives F before each step (length ≥ T), or empty.</param>
    /// <param name="layerEnergies">Receives E_ℓ/B (natural order ℓ = 1..L) after inference (length L).</param>
    /// <returns>The feedforward train loss (E_L/B at the feedforward activities).</returns>
    public double TrainPc(int steps, double beta, TrainingOptions training, Span<double> stepEnergies, Span<double> layerEnergies)
    {
        Feedforward();
        double trainLoss = Infer(steps, beta, stepEnergies, layerEnergies);
        int batch = _input!.Rows;
        _weightPhase.Set(training, GradientFactors.PredictiveCoding(batch));
        RunPhase(_weightPhase, _layers.Length);
        return trainLoss;
    }

    /// <summary>
    /// T inference steps from the current activities (spec §3): each step computes every error and feedback, then
    /// moves every hidden activity by <c>−β·∂F/∂z</c>. Afterwards the errors are those of the final activities.
    /// </summary>
    /// <returns>The output energy E_L/B before the first step (the feedforward train loss after <see cref="Feedforward"/>).</returns>
    public double Infer(int steps, double beta, Span<double> stepEnergies, Span<double> layerEnergies)
    {
        int batch = _input?.Rows ?? throw new InvalidOperationException("Clamp a batch before inference.");
        if (ParallelOverLayers && stepEnergies.IsEmpty && !_backend.DefersWork && _wavefront.TryRun(steps, beta / batch, _target!, Shape.Options.Loss, _predictionsFresh, CoreParallel.Shared.Concurrency))
        {
            _predictionsFresh = false;
            WavefrontInferences++;
            if (_wavefront.Divergence() is { } divergence)
            {
                throw divergence;
            }

            for (int i = 0; i < _layers.Length; i++)
            {
                layerEnergies[i] = _wavefront.FinalEnergy(i) / batch;
            }

            return _wavefront.FirstOutputEnergy / batch;
        }

        // Every step is queued first and the energies are read once: a device backend then never waits inside the
        // batch. A divergence is found afterwards, as the first non-finite energy in (step, layer) order.
        foreach (PcLayer layer in _layers)
        {
            layer.EnsureSlots(steps);
        }

        for (int t = 0; t <= steps; t++)
        {
            RunErrorPhase(belowChanged: true, sendFeedback: t < steps, t);
            if (t == steps)
            {
                break;
            }

            _activityPhase.Step = beta / batch;
            RunPhase(_activityPhase, _layers.Length - 1);
        }

        ReadSums();
        for (int t = 0; t <= steps; t++)
        {
            double total = StepTotal(t);
            if (t < steps && stepEnergies.Length > t)
            {
                stepEnergies[t] = total / batch;
            }
        }

        for (int i = 0; i < _layers.Length; i++)
        {
            layerEnergies[i] = _layers[i].Energy(steps) / batch;
        }

        return _layers[^1].Energy(0) / batch;
    }

    /// <summary>
    /// One backprop iteration on the clamped batch with the same forward map (the Depth-µP baseline, train_bpn.py):
    /// loss = mean over all elements of (y − ŷ)² for MSE, −mean_i Σ y·log softmax for CE; one Adam step.
    /// </summary>
    /// <returns>The feedforward train loss in the PC convention (½·mean_i‖y − ŷ‖², or the CE mean), for comparison.</returns>
    public double TrainBp(TrainingOptions training)
    {
        Feedforward();
        int batch = _input!.Rows;
        PcLayer output = _layers[^1];
        output.ComputeError(Below(_layers.Length - 1), belowChanged: false, _target, Shape.Options.Loss, step: 0);

        // Every layer's sums, not only the output's: the read also brings each layer's Σ(ΔW)² of the last update, which
        // its learning signal counts (on a device, one wait either way).
        ReadSums();
        double energy = output.Energy(0);
        if (!double.IsFinite(energy))
        {
            throw new DivergenceException(_layers.Length, -1, energy, "the feedforward pass");
        }

        for (int i = _layers.Length - 1; i >= 1; i--)
        {
            _layers[i].ComputeFeedback();
            PcLayer above = _layers[i];
            _layers[i - 1].Backpropagate(above.Feedback, above.Shape.HasSkip ? above.Error : null);
        }

        _weightPhase.Set(training, GradientFactors.Backprop(Shape.Options.Loss, batch, Shape.Options.OutputDim));
        RunPhase(_weightPhase, _layers.Length);
        return energy / batch;
    }

    /// <summary>Every layer's learning signal (ℓ = 1..L): relative change from initialisation and non-zero updates.</summary>
    public LayerLearning[] MeasureLearning() => [.. _layers.Select(l => l.MeasureLearning())];

    /// <summary>Feedforward predictions ŷ for the clamped x, copied into <paramref name="logits"/> (B × d_y).</summary>
    public void Predict(Span<float> logits)
    {
        Feedforward();
        _backend.Download(_layers[^1].Prediction, logits);
    }

    /// <summary>
    /// The energy of every layer at the current activities (E_ℓ/B, natural order), without changing them; predictions
    /// and errors are remade, so activities written from outside are taken into account.
    /// </summary>
    public void Energies(Span<double> layerEnergies)
    {
        _predictionsFresh = false;
        RunErrorPhase(belowChanged: true, sendFeedback: false, step: 0);
        _predictionsFresh = true;
        ReadSums();
        StepTotal(0);
        for (int i = 0; i < _layers.Length; i++)
        {
            layerEnergies[i] = _layers[i].Energy(0) / _input!.Rows;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (PcLayer layer in _layers)
        {
            layer.Dispose();
        }

        _input?.Dispose();
        _target?.Dispose();
    }

    private void EnsureBatch(int batchSize)
    {
        if (_input is not null && _input.Rows == batchSize)
        {
            return;
        }

        _input?.Dispose();
        _target?.Dispose();
        _input = _backend.Allocate(batchSize, Shape.Options.InputDim);
        _target = _backend.Allocate(batchSize, Shape.Options.OutputDim);
    }

    private Tensor Below(int layerIndex0) => layerIndex0 == 0 ? _input! : _layers[layerIndex0 - 1].Activity;

    /// <summary>
    /// Phase (a) over all layers. Predictions are remade only when activities moved since they were made: right after
    /// the feedforward pass they are exact, so the first step skips that product (and its result is identical).
    /// </summary>
    private void RunErrorPhase(bool belowChanged, bool sendFeedback, int step)
    {
        _errorPhase.BelowChanged = belowChanged && !_predictionsFresh;
        _predictionsFresh = false;
        _errorPhase.SendFeedback = sendFeedback;
        _errorPhase.Step = step;
        RunPhase(_errorPhase, _layers.Length);
    }

    /// <summary>Reads every layer's sums at once (one wait for a backend that defers work).</summary>
    private void ReadSums()
    {
        for (int i = 0; i < _layers.Length; i++)
        {
            _sums[i] = _layers[i].Sums;
        }

        _backend.ReadScalars(_sums);
    }

    /// <summary>F·B at step <paramref name="step"/>, after checking each layer's energy is finite.</summary>
    private double StepTotal(int step)
    {
        double total = 0;
        for (int i = 0; i < _layers.Length; i++)
        {
            double energy = _layers[i].Energy(step);
            if (!double.IsFinite(energy))
            {
                throw new DivergenceException(i + 1, step, energy, step == 0 ? "the feedforward activities" : "inference");
            }

            total += energy;
        }

        return total;
    }

    private void RunPhase(IParallelWork phase, int layers)
    {
        // A device backend only queues the work: one thread queues it in order.
        if (ParallelOverLayers && !_backend.DefersWork)
        {
            CoreParallel.Shared.Run(phase, layers);
            return;
        }

        for (int i = 0; i < layers; i++)
        {
            phase.Run(i, layers);
        }
    }

    /// <summary>Phase (a): every layer computes its error and energy, and sends its feedback down.</summary>
    private sealed class ErrorPhase(PcNetwork network) : IParallelWork
    {
        public bool BelowChanged { get; set; }

        public bool SendFeedback { get; set; }

        public int Step { get; set; }

        public void Run(int chunk, int chunkCount)
        {
            // Chunks are taken in order, so the light layers go last and fill the gap where one core would wait:
            // the hidden layers 2..L−1 first, then the output (d_y wide), then layer 1 (whose prediction is fixed).
            int index = chunk < chunkCount - 1 ? chunk + 1 : 0;
            PcLayer layer = network._layers[index];
            layer.ComputeError(network.Below(index), BelowChanged, network._target, network.Shape.Options.Loss, Step);
            if (SendFeedback && layer.Shape.ActivatesInput)
            {
                layer.ComputeFeedback();
            }
        }
    }

    /// <summary>Phase (b): every hidden layer steps its activity from the feedback and error of the layer above.</summary>
    private sealed class ActivityPhase(PcNetwork network) : IParallelWork
    {
        public double Step { get; set; }

        public void Run(int chunk, int chunkCount)
        {
            PcLayer above = network._layers[chunk + 1];
            network._layers[chunk].UpdateActivity(Step, above.Feedback, above.Shape.HasSkip ? above.Error : null);
        }
    }

    /// <summary>Every layer computes its weight gradient and takes its Adam step.</summary>
    private sealed class WeightPhase(PcNetwork network) : IParallelWork
    {
        private TrainingOptions? _training;
        private double _gradientFactor;

        public void Set(TrainingOptions training, double gradientFactor)
        {
            _training = training;
            _gradientFactor = gradientFactor;
        }

        public void Run(int chunk, int chunkCount)
        {
            PcLayer layer = network._layers[chunk];
            TrainingOptions t = _training!;
            if (t.Trains(chunk + 1, network._layers.Length))
            {
                layer.UpdateWeights(_gradientFactor, t.LearningRate, t.AdamBeta1, t.AdamBeta2, t.AdamEpsilon);
            }
        }
    }
}
