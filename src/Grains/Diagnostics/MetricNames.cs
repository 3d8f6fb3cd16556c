namespace Pcn.Grains.Diagnostics;

/// <summary>
/// Pcn's instrument names (OpenTelemetry style; the Prometheus exporter turns dots into underscores, appends the unit
/// and "_total" for counters: <c>pcn.run.batch.duration</c> in seconds becomes <c>pcn_run_batch_duration_seconds</c>).
/// </summary>
public static class MetricNames
{
    /// <summary>The meter every Pcn instrument belongs to.</summary>
    public const string Meter = "Pcn";

    /// <summary>E_ℓ/B after inference, per run and layer.</summary>
    public const string LayerEnergy = "pcn.layer.energy";

    /// <summary>Frobenius norm of W_ℓ after the last update, per run and layer.</summary>
    public const string LayerWeightNorm = "pcn.layer.weight.norm";

    /// <summary>RMS of ∂F/∂z_ℓ over the batch at the last inference step, per run and layer.</summary>
    public const string LayerActivityGradientRms = "pcn.layer.activity_gradient.rms";

    /// <summary>Frobenius norm of the last Adam update ΔW_ℓ, per run and layer.</summary>
    public const string LayerWeightUpdateNorm = "pcn.layer.weight_update.norm";

    /// <summary>Non-finite energies seen, per run and layer.</summary>
    public const string LayerNonFinite = "pcn.layer.nonfinite";

    /// <summary>‖W_ℓ − W_ℓ(0)‖ / ‖W_ℓ(0)‖ at the last evaluation.</summary>
    public const string LayerRelativeChange = "pcn.layer.relative_change";

    /// <summary>Batches whose update of W_ℓ was non-zero, at the last evaluation.</summary>
    public const string LayerUpdatedBatches = "pcn.layer.updated_batches";

    /// <summary>Σ_ℓ E_ℓ/B after inference, per run.</summary>
    public const string RunEnergy = "pcn.run.energy";

    /// <summary>Feedforward train loss of the last batch, per run.</summary>
    public const string RunTrainLoss = "pcn.run.train_loss";

    /// <summary>Last test accuracy (percent), per run.</summary>
    public const string RunTestAccuracy = "pcn.run.test_accuracy";

    /// <summary>The run's state as a number (0 pending, 1 running, 2 completed, 3 diverged, 4 cancelled, 5 failed).</summary>
    public const string RunState = "pcn.run.state";

    /// <summary>Batches trained, per run.</summary>
    public const string RunBatches = "pcn.run.batches";

    /// <summary>Samples trained, per run.</summary>
    public const string RunSamples = "pcn.run.samples";

    /// <summary>
    /// Wall time of one inference step of one layer (from its first step to its last, divided by T; waiting for its
    /// neighbours included), observed once per layer and batch, per run.
    /// </summary>
    public const string LayerStepDuration = "pcn.run.layer_step.duration";

    /// <summary>Duration of one training batch, per run.</summary>
    public const string BatchDuration = "pcn.run.batch.duration";

    /// <summary>Messages sent between layer grains, per kind (activity, feedback).</summary>
    public const string LayerMessages = "pcn.layer.messages";

    /// <summary>Tensor bytes sent between layer grains, per kind.</summary>
    public const string LayerBytes = "pcn.layer.bytes";

    /// <summary>Time spent in backend operations, per operation.</summary>
    public const string KernelTime = "pcn.kernel.time";

    /// <summary>Kernels launched by the silo's device backend (zero for the CPU backend).</summary>
    public const string DeviceLaunches = "pcn.device.launches";

    /// <summary>Times the silo's host waited for its device.</summary>
    public const string DeviceHostWaits = "pcn.device.host_waits";

    /// <summary>Device memory allocations of the silo's backend (tensors, sum slots, kernel tables, pool chunks).</summary>
    public const string DeviceAllocations = "pcn.device.allocations";

    /// <summary>Bytes copied between host and device, per direction (to_device, to_host).</summary>
    public const string DeviceTransferBytes = "pcn.device.transfer";
}
