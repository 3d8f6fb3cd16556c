using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Pcn.Abstractions.Messages;

namespace Pcn.Grains.Diagnostics;

/// <summary>
/// Every Pcn instrument, created once per silo through <see cref="IMeterFactory"/>. Per-layer and per-run values are
/// observable gauges read from a table of current values, so a run's series disappear from /metrics when the run
/// is dropped (<see cref="DropRun"/>): cardinality stays one series per layer per metric for live runs only.
/// </summary>
internal sealed class PcnInstruments
{
    private static readonly double[] StepBuckets = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
    private static readonly double[] BatchBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly ConcurrentDictionary<(string Run, int Layer), LayerValues> _layers = new();
    private readonly ConcurrentDictionary<string, RunValues> _runs = new();
    private readonly ConcurrentDictionary<string, RunInstruments> _runInstruments = new();
    private readonly Counter<long> _messages;
    private readonly Counter<long> _bytes;
    private readonly Counter<double> _kernelTime;
    private readonly Meter _meter;

    /// <summary>Creates the instruments on the meter <see cref="MetricNames.Meter"/>.</summary>
    /// <param name="meterFactory">The host's meter factory.</param>
    /// <param name="enabled">False records nothing (for measuring what recording costs).</param>
    public PcnInstruments(IMeterFactory meterFactory, bool enabled = true)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Enabled = enabled;
        Meter meter = _meter = meterFactory.Create(MetricNames.Meter);
        meter.CreateObservableGauge(MetricNames.LayerEnergy, () => Layers(v => v.Energy), description: "E_l/B after inference");
        meter.CreateObservableGauge(MetricNames.LayerWeightNorm, () => Layers(v => v.WeightNorm), description: "Frobenius norm of W_l");
        meter.CreateObservableGauge(MetricNames.LayerActivityGradientRms, () => Layers(v => v.GradientRms), description: "RMS of dF/dz_l at the last inference step");
        meter.CreateObservableGauge(MetricNames.LayerWeightUpdateNorm, () => Layers(v => v.UpdateNorm), description: "Frobenius norm of the last update of W_l");
        meter.CreateObservableGauge(MetricNames.LayerRelativeChange, () => Layers(v => v.RelativeChange), description: "||W_l - W_l(0)|| / ||W_l(0)|| at the last evaluation");
        meter.CreateObservableGauge(MetricNames.LayerUpdatedBatches, () => Layers(v => v.UpdatedBatches), description: "Batches whose update of W_l was non-zero, at the last evaluation");
        meter.CreateObservableGauge(MetricNames.RunEnergy, () => Runs(v => v.Energy), description: "Total energy after inference");
        meter.CreateObservableGauge(MetricNames.RunTrainLoss, () => Runs(v => v.TrainLoss), description: "Feedforward train loss");
        meter.CreateObservableGauge(MetricNames.RunTestAccuracy, () => Runs(v => v.TestAccuracy), unit: "%", description: "Last test accuracy");
        meter.CreateObservableGauge(MetricNames.RunState, () => Runs(v => v.State), description: "0 pending, 1 running, 2 completed, 3 diverged, 4 cancelled, 5 failed");
        meter.CreateObservableCounter(MetricNames.LayerNonFinite, () => Layers(v => v.NonFinite), description: "Non-finite energies seen");
        _messages = meter.CreateCounter<long>(MetricNames.LayerMessages, description: "Messages between layer grains");
        _bytes = meter.CreateCounter<long>(MetricNames.LayerBytes, unit: "By", description: "Tensor bytes between layer grains");
        _kernelTime = meter.CreateCounter<double>(MetricNames.KernelTime, unit: "s", description: "Time in backend operations");
    }

    /// <summary>Whether anything is recorded.</summary>
    public bool Enabled { get; }

    /// <summary>
    /// Exports what the silo's backend asked of its device (<see cref="GpuKernels.Backends.IPcBackend.Counters"/>):
    /// launches, host waits, allocations and bytes each way, read when the metrics are collected.
    /// </summary>
    public void ObserveDevice(GpuKernels.Backends.IPcBackend backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        if (!Enabled)
        {
            return;
        }

        KeyValuePair<string, object?> backendTag = new("backend", backend.Name);
        _meter.CreateObservableCounter(MetricNames.DeviceLaunches, () => new Measurement<long>(backend.Counters.Launches, backendTag), description: "Kernels launched");
        _meter.CreateObservableCounter(MetricNames.DeviceHostWaits, () => new Measurement<long>(backend.Counters.HostWaits, backendTag), description: "Host waits for the device");
        _meter.CreateObservableCounter(MetricNames.DeviceAllocations, () => new Measurement<long>(backend.Counters.Allocations, backendTag), description: "Device allocations");
        _meter.CreateObservableCounter<long>(
            MetricNames.DeviceTransferBytes,
            () =>
            {
                GpuKernels.Backends.DeviceCounters counts = backend.Counters;
                return [new Measurement<long>(counts.HostToDeviceBytes, backendTag, new("direction", "to_device")), new Measurement<long>(counts.DeviceToHostBytes, backendTag, new("direction", "to_host"))];
            },
            unit: "By",
            description: "Bytes copied between host and device");
    }

    /// <summary>Records a layer's energy after inference (E_ℓ/B); a non-finite value also counts.</summary>
    public void LayerEnergy(string run, int layer, double energy)
    {
        if (!Enabled)
        {
            return;
        }

        LayerValues values = Layer(run, layer);
        values.Energy = energy;
        if (!double.IsFinite(energy))
        {
            values.NonFinite++;
        }
    }

    /// <summary>Starts a layer's series (its non-finite count at 0), so every layer is visible from its first batch.</summary>
    public void LayerStarted(string run, int layer)
    {
        if (Enabled)
        {
            Layer(run, layer);
        }
    }

    /// <summary>Records ‖W_ℓ‖_F and ‖ΔW_ℓ‖_F after an update.</summary>
    public void LayerWeights(string run, int layer, double norm, double updateNorm)
    {
        if (Enabled)
        {
            LayerValues values = Layer(run, layer);
            values.WeightNorm = norm;
            values.UpdateNorm = updateNorm;
        }
    }

    /// <summary>Records a layer's learning signal, measured at an evaluation.</summary>
    public void LayerLearning(string run, int layer, LayerLearning learning)
    {
        if (Enabled)
        {
            LayerValues values = Layer(run, layer);
            values.RelativeChange = learning.RelativeChange;
            values.UpdatedBatches = learning.UpdatedBatches;
        }
    }

    /// <summary>Records the RMS of ∂F/∂z_ℓ of an inference step (the last one stays).</summary>
    public void LayerActivityGradient(string run, int layer, double rms)
    {
        if (Enabled)
        {
            Layer(run, layer).GradientRms = rms;
        }
    }

    /// <summary>Records one batch of a run.</summary>
    public void Batch(string run, int samples, double trainLoss, double? energy, TimeSpan duration)
    {
        if (!Enabled)
        {
            return;
        }

        RunValues values = Run(run);
        values.TrainLoss = trainLoss;
        values.Energy = energy ?? double.NaN;
        RunInstruments instruments = Instruments(run);
        instruments.Batches.Add(1, instruments.Tag);
        instruments.Samples.Add(samples, instruments.Tag);
        instruments.BatchDuration.Record(duration.TotalSeconds, instruments.Tag);
    }

    /// <summary>Records a layer's mean inference-step time over one batch.</summary>
    public void LayerStep(string run, TimeSpan duration)
    {
        if (Enabled)
        {
            RunInstruments instruments = Instruments(run);
            instruments.StepDuration.Record(duration.TotalSeconds, instruments.Tag);
        }
    }

    /// <summary>Records a test accuracy.</summary>
    public void TestAccuracy(string run, double accuracy)
    {
        if (Enabled)
        {
            Run(run).TestAccuracy = accuracy;
        }
    }

    /// <summary>Records a run's state.</summary>
    public void State(string run, RunState state)
    {
        if (Enabled)
        {
            Run(run).State = (int)state;
        }
    }

    /// <summary>Counts a message carrying <paramref name="bytes"/> tensor bytes.</summary>
    public void Message(MessageKind kind, long bytes)
    {
        if (!Enabled)
        {
            return;
        }

        KeyValuePair<string, object?> tag = kind.Tag;
        _messages.Add(1, tag);
        _bytes.Add(bytes, tag);
    }

    /// <summary>Adds time spent in a backend operation.</summary>
    public void KernelTime(KeyValuePair<string, object?> operation, double seconds) => _kernelTime.Add(seconds, operation);

    /// <summary>Forgets one layer's gauges (its grain was released), so its series leave this silo's /metrics.</summary>
    public void DropLayer(string run, int layer)
    {
        _layers.TryRemove((run, layer), out _);

        // A silo that held only layers of the run (its coordinator is elsewhere) lets go of the run's counters and
        // histograms with its last layer; the coordinator's silo does so in DropRun.
        if (!_runs.ContainsKey(run) && !_layers.Keys.Any(k => k.Run == run) && _runInstruments.TryRemove(run, out RunInstruments? instruments))
        {
            instruments.Dispose();
        }
    }

    /// <summary>Forgets a run's per-layer and per-run gauges, so its series leave /metrics.</summary>
    public void DropRun(string run)
    {
        _runs.TryRemove(run, out _);
        if (_runInstruments.TryRemove(run, out RunInstruments? instruments))
        {
            instruments.Dispose();
        }

        foreach ((string Run, int Layer) key in _layers.Keys.Where(k => k.Run == run).ToArray())
        {
            _layers.TryRemove(key, out _);
        }
    }

    private LayerValues Layer(string run, int layer) => _layers.GetOrAdd((run, layer), _ => new LayerValues());

    private RunValues Run(string run) => _runs.GetOrAdd(run, _ => new RunValues());

    private RunInstruments Instruments(string run) => _runInstruments.GetOrAdd(run, r => new RunInstruments(r));

    private IEnumerable<Measurement<double>> Layers(Func<LayerValues, double> value) =>
        _layers.Where(p => !double.IsNaN(value(p.Value))).Select(p => new Measurement<double>(value(p.Value), new KeyValuePair<string, object?>("run", p.Key.Run), new KeyValuePair<string, object?>("layer", p.Key.Layer)));

    private IEnumerable<Measurement<double>> Runs(Func<RunValues, double> value) =>
        _runs.Where(p => !double.IsNaN(value(p.Value))).Select(p => new Measurement<double>(value(p.Value), new KeyValuePair<string, object?>("run", p.Key)));

    private sealed class LayerValues
    {
        public double Energy { get; set; } = double.NaN;

        public double WeightNorm { get; set; } = double.NaN;

        public double UpdateNorm { get; set; } = double.NaN;

        public double GradientRms { get; set; } = double.NaN;

        public double RelativeChange { get; set; } = double.NaN;

        public double UpdatedBatches { get; set; } = double.NaN;

        public double NonFinite { get; set; }
    }

    /// <summary>
    /// A run's counters and histograms. A counter's or histogram's series cannot be taken back one by one, so each run
    /// gets its own meter (same name, so exporters pick it up): disposing it when the run is dropped ends the
    /// instruments, and the exporter removes their series.
    /// </summary>
    private sealed class RunInstruments : IDisposable
    {
        private readonly Meter _meter = new(MetricNames.Meter);

        public RunInstruments(string run)
        {
            Tag = new KeyValuePair<string, object?>("run", run);
            Batches = _meter.CreateCounter<long>(MetricNames.RunBatches, description: "Batches trained");
            Samples = _meter.CreateCounter<long>(MetricNames.RunSamples, description: "Samples trained");
            StepDuration = _meter.CreateHistogram(MetricNames.LayerStepDuration, unit: "s", description: "One inference step of one layer (mean over a batch's steps)", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = StepBuckets });
            BatchDuration = _meter.CreateHistogram(MetricNames.BatchDuration, unit: "s", description: "One training batch", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = BatchBuckets });
        }

        public KeyValuePair<string, object?> Tag { get; }

        public Counter<long> Batches { get; }

        public Counter<long> Samples { get; }

        public Histogram<double> StepDuration { get; }

        public Histogram<double> BatchDuration { get; }

        public void Dispose() => _meter.Dispose();
    }

    private sealed class RunValues
    {
        public double Energy { get; set; } = double.NaN;

        public double TrainLoss { get; set; } = double.NaN;

        public double TestAccuracy { get; set; } = double.NaN;

        public double State { get; set; }
    }
}
