using Pcn.Abstractions.Options;
using Pcn.GpuKernels.Backends;
using Pcn.GpuKernels.Backends.Cpu;
using Pcn.Network.Layers;

namespace Pcn.Network.Training;

/// <summary>
/// The T inference steps of <see cref="PcNetwork"/> as a wavefront over the cores, without a barrier per step: the
/// layers are cut into contiguous blocks, one per core, and each core walks its block step by step — E(ℓ+1, t)
/// (error, energy, feedback) then at once U(ℓ, t) (the activity step, which needs the feedback of ℓ+1) while ℓ's
/// tensors are still in its cache. Only the two layers at a block's edge wait, each for one neighbour in the next or
/// previous block: E(first, t) for U(first − 1, t − 1), U(last, t) for E(last + 1, t).
/// <para>
/// Every operation is the phased schedule's, on the same operands (the buffers a neighbour reads are double-buffered
/// in <see cref="PcLayer"/>, so no step overwrites what another core still reads): the results are identical bit for
/// bit. Each layer keeps its first non-finite energy (step and value) and its energy after
/// the last step, and the divergence is the first non-finite energy in (step, layer) order, as the phased schedule
/// finds it. Per-step totals are not kept: a caller that wants them gets the phased schedule.
/// </para>
/// </summary>
internal sealed class WavefrontInference : IParallelWork
{
    private readonly PcLayer[] _layers;
    /// <summary>The busiest core's share of the work over a fair share, above which phases run instead.</summary>
    private const double MaxImbalance = 1.05;

    private readonly Func<int, Tensor> _below;
    private readonly int[] _errorsDone;
    private readonly int[] _updatesDone;
    private readonly int[] _nonFiniteStep;
    private readonly double[] _nonFiniteEnergy;
    private readonly double[] _finalEnergy;
    private int[] _blockStart = [];
    private bool _balanced;
    private double _firstOutputEnergy;
    private Tensor? _target;
    private LossKind _loss;
    private int _steps;
    private double _stepSize;
    private bool _predictionsFresh;
    private volatile bool _aborted;

    /// <summary>Walks <paramref name="layers"/>; <paramref name="below"/> gives the input of layer index i (x for 0).</summary>
    public WavefrontInference(PcLayer[] layers, Func<int, Tensor> below)
    {
        _layers = layers;
        _below = below;
        _errorsDone = new int[layers.Length];
        _updatesDone = new int[layers.Length];
        _nonFiniteStep = new int[layers.Length];
        _nonFiniteEnergy = new double[layers.Length];
        _finalEnergy = new double[layers.Length];
    }

    /// <summary>The output layer's energy (summed over the batch) at step 0.</summary>
    public double FirstOutputEnergy => _firstOutputEnergy;

    /// <summary>The energy (summed over the batch) of layer index <paramref name="layer"/> after the last step.</summary>
    public double FinalEnergy(int layer) => _finalEnergy[layer];

    /// <summary>The first non-finite energy in (step, layer) order, as the divergence it is; null when there is none.</summary>
    public DivergenceException? Divergence()
    {
        int layer = -1;
        for (int i = 0; i < _layers.Length; i++)
        {
            if (_nonFiniteStep[i] >= 0 && (layer < 0 || _nonFiniteStep[i] < _nonFiniteStep[layer]))
            {
                layer = i;
            }
        }

        if (layer < 0)
        {
            return null;
        }

        int step = _nonFiniteStep[layer];
        return new DivergenceException(layer + 1, step, _nonFiniteEnergy[layer], step == 0 ? "the feedforward activities" : "inference");
    }

    /// <summary>
    /// Runs T steps on <paramref name="blocks"/> cores at once; false (nothing run) when the cores cannot be had
    /// together (see <see cref="CoreParallel.TryRunConcurrently"/>), or when whole layers cannot be shared fairly
    /// between them: with few layers per core the busiest core would leave the others idle (measured at H = 8,
    /// N = 512: 6–10% slower than phases that split every product), so phases are better there. With
    /// <paramref name="predictionsFresh"/>, the predictions were made from the current activities (a feedforward
    /// pass), and step 0 does not remake them.
    /// </summary>
    public bool TryRun(int steps, double stepSize, Tensor target, LossKind loss, bool predictionsFresh, int blocks)
    {
        blocks = Math.Min(blocks, _layers.Length);
        if (blocks < 2)
        {
            return false;
        }

        if (_blockStart.Length != blocks + 1)
        {
            (_blockStart, double imbalance) = Partition(_layers, blocks);
            _balanced = imbalance <= MaxImbalance;
        }

        if (!_balanced)
        {
            return false;
        }

        (_steps, _stepSize, _target, _loss, _predictionsFresh, _aborted) = (steps, stepSize, target, loss, predictionsFresh, false);
        Array.Fill(_errorsDone, -1);
        Array.Fill(_updatesDone, -1);
        Array.Fill(_nonFiniteStep, -1);
        try
        {
            return CoreParallel.Shared.TryRunConcurrently(this, blocks);
        }
        finally
        {
            _target = null;
        }
    }

    /// <inheritdoc/>
    public void Run(int chunk, int chunkCount)
    {
        try
        {
            Walk(_blockStart[chunk], _blockStart[chunk + 1]);
        }
        catch
        {
            // The other cores wait for this block's progress: let them stop instead of waiting forever.
            _aborted = true;
            throw;
        }
    }

    /// <summary>
    /// Contiguous blocks of about equal work: a layer's step is its two products (N_in·N_out each per row), but layer 1
    /// makes none (its prediction is fixed, and it sends no feedback): only element-wise work on its N_out columns.
    /// </summary>
    /// <returns>The first layer of each block (and L), and the busiest block's work over the mean.</returns>
    private static (int[] Start, double Imbalance) Partition(PcLayer[] layers, int blocks)
    {
        static double Weight(PcLayer layer) => layer.Shape.ActivatesInput ? layer.Shape.ProductMultiplyAdds(1) : layer.Shape.OutputDim;
        double total = layers.Sum(Weight);
        int[] start = new int[blocks + 1];
        double running = 0;
        int block = 1;
        for (int i = 0; i < layers.Length && block < blocks; i++)
        {
            double before = running;
            running += Weight(layers[i]);
            double target = total * block / blocks;
            if (running >= target)
            {
                // The block boundary goes before or after layer i, whichever ends the block nearer its fair share.
                int boundary = target - before < running - target && i > start[block - 1] ? i : i + 1;
                if (boundary < layers.Length)
                {
                    start[block++] = boundary;
                }
            }
        }

        for (; block < blocks; block++)
        {
            start[block] = Math.Min(layers.Length - (blocks - block), start[block - 1] + 1);
        }

        start[blocks] = layers.Length;
        double busiest = 0;
        for (int b = 0; b < blocks; b++)
        {
            busiest = Math.Max(busiest, layers[start[b]..start[b + 1]].Sum(Weight));
        }

        return (start, busiest / (total / blocks));
    }

    private void Walk(int first, int end)
    {
        for (int t = 0; t <= _steps; t++)
        {
            for (int i = first; i < end; i++)
            {
                Error(i, t);
                if (i > first && t < _steps)
                {
                    Update(i - 1, t);
                }
            }

            if (t < _steps && end < _layers.Length)
            {
                Update(end - 1, t);
            }
        }
    }

    /// <summary>E(i, t): the error and energy of layer i at step t, and its feedback unless t is the last step.</summary>
    private void Error(int i, int t)
    {
        if (t > 0 && i > 0)
        {
            WaitFor(_updatesDone, i - 1, t - 1);
        }

        PcLayer layer = _layers[i];
        layer.ComputeError(_below(i), belowChanged: t > 0 || !_predictionsFresh, layer.Shape.IsOutput ? _target : null, _loss, t);
        double energy = layer.Energy(t);
        if (!double.IsFinite(energy) && _nonFiniteStep[i] < 0)
        {
            (_nonFiniteStep[i], _nonFiniteEnergy[i]) = (t, energy);
        }

        if (t == 0 && layer.Shape.IsOutput)
        {
            _firstOutputEnergy = energy;
        }

        if (t == _steps)
        {
            _finalEnergy[i] = energy;
        }

        if (t < _steps && layer.Shape.ActivatesInput)
        {
            layer.ComputeFeedback();
        }

        Volatile.Write(ref _errorsDone[i], t);
    }

    /// <summary>U(i, t): the activity step of hidden layer i from the feedback and error of layer i + 1 at step t.</summary>
    private void Update(int i, int t)
    {
        WaitFor(_errorsDone, i + 1, t);
        PcLayer above = _layers[i + 1];
        _layers[i].UpdateActivity(_stepSize, above.Feedback, above.Shape.HasSkip ? above.Error : null);
        Volatile.Write(ref _updatesDone[i], t);
    }

    private void WaitFor(int[] done, int layer, int step)
    {
        var spin = default(SpinWait);
        while (Volatile.Read(ref done[layer]) < step)
        {
            if (_aborted)
            {
                throw new OperationCanceledException("Another core's block failed.");
            }

            spin.SpinOnce(sleep1Threshold: -1);
        }
    }
}
