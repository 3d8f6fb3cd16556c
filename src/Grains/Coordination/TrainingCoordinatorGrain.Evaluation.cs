using System.Diagnostics;
using Pcn.Abstractions.Messages;
using Pcn.Data;
using Pcn.Network.Training;

namespace Pcn.Grains.Coordination;

/// <summary>
/// Test accuracy through the layers (spec §5): every layer is told once how many test batches come; the coordinator
/// feeds x to layer 1 and each batch flows up the chain by itself, the output layer sending back its logits. Two
/// batches are in flight at a time, so neighbouring layers work on consecutive batches at once, and no layer is more
/// than one batch ahead of its neighbour (what its double buffers allow).
/// </summary>
internal sealed partial class TrainingCoordinatorGrain
{
    private const int TestBatchesInFlight = 2;
    private readonly TestPredictions _predictions = new();
    private int _evaluations;

    /// <summary>Test accuracy (percent) of the current weights, as <see cref="Trainer.Evaluate"/> computes it.</summary>
    private async Task<double> EvaluateCoreAsync()
    {
        await FlushCommitAsync();
        long started = Stopwatch.GetTimestamp();
        RunRequest request = _request!;
        int rows = request.Training.BatchSize, classes = request.Network.OutputDim;
        var iterator = new BatchIterator(_data!.Test, rows, seed: 0, shuffle: false);
        int batches = iterator.BatchCount;
        int pass = -++_evaluations;
        _predictions.Begin(pass);
        await Task.WhenAll(_layers.Select(l => l.BeginEvaluationAsync(new EvaluationCommand(pass, batches))));

        // Buffers are reused by parity: batch k + 2 is filled only after the logits of batch k are back, when layer 1
        // has long copied batch k's x.
        var x = new BatchBuffers[TestBatchesInFlight];
        var payloads = new TensorPayload[TestBatchesInFlight];
        for (int i = 0; i < TestBatchesInFlight; i++)
        {
            x[i] = new BatchBuffers(rows, request.Network.InputDim, request.Network.OutputDim);
            payloads[i] = new TensorPayload(rows, request.Network.InputDim, x[i].X);
        }

        long correct = 0;
        try
        {
            for (int k = 0; k < batches + TestBatchesInFlight; k++)
            {
                if (k >= TestBatchesInFlight && k - TestBatchesInFlight < batches)
                {
                    int done = k - TestBatchesInFlight;
                    TensorPayload logits = await WatchAsync(_predictions.NextAsync(done), pass, () => Enumerable.Range(1, _layers.Length));
                    correct += TrainingSchedule.CountCorrect(logits.Values, x[done % TestBatchesInFlight].Labels, classes, _layers.Length);
                }

                if (k < batches)
                {
                    BatchBuffers buffers = x[k % TestBatchesInFlight];
                    buffers.Fill(iterator, k);
                    _ = _layers[0].DeliverActivityAsync(new ActivityMessage(pass, k, payloads[k % TestBatchesInFlight], _generation));
                }
            }
        }
        catch (Exception e)
        {
            // The layers still wait for test batches that will not come.
            await Task.WhenAll(_layers.Select(l => l.AbortAsync($"evaluation {-pass} stopped: {e.Message}")));
            throw;
        }

        _evaluationSeconds += Stopwatch.GetElapsedTime(started).TotalSeconds;
        return 100.0 * correct / ((long)batches * rows);
    }
}
