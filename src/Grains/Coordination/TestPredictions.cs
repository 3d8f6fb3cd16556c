using Pcn.Abstractions.Messages;

namespace Pcn.Grains.Coordination;

/// <summary>
/// The output layer's logits of the evaluation in progress, by test batch, until the coordinator takes them in order.
/// One-way messages may arrive out of order; at most two batches are in flight. Used only on the coordinator's own
/// scheduler. A layer's failure fails the current wait and every later one.
/// </summary>
internal sealed class TestPredictions
{
    private readonly Dictionary<int, TensorPayload> _arrived = [];
    private int _pass;
    private int _awaitedIndex = -1;
    private TaskCompletionSource<TensorPayload>? _awaited;
    private string? _failure;

    /// <summary>Starts collecting the predictions of evaluation pass <paramref name="pass"/>.</summary>
    public void Begin(int pass)
    {
        (_pass, _failure, _awaited, _awaitedIndex) = (pass, null, null, -1);
        _arrived.Clear();
    }

    /// <summary>Takes a prediction (or a failure) of the current pass; others are ignored.</summary>
    public void Add(TestPrediction prediction)
    {
        if (prediction.Pass != _pass)
        {
            return;
        }

        if (prediction.Failure is not null || prediction.Logits is null)
        {
            _failure ??= prediction.Failure ?? $"test batch {prediction.Index} came without logits";
            _awaited?.TrySetException(new LayerFailedException($"evaluation: {_failure}"));
            return;
        }

        if (_awaited is not null && prediction.Index == _awaitedIndex)
        {
            TaskCompletionSource<TensorPayload> awaited = _awaited;
            _awaited = null;
            awaited.SetResult(prediction.Logits);
            return;
        }

        _arrived[prediction.Index] = prediction.Logits;
    }

    /// <summary>The logits of test batch <paramref name="index"/>, when they arrive.</summary>
    public Task<TensorPayload> NextAsync(int index)
    {
        if (_failure is not null)
        {
            return Task.FromException<TensorPayload>(new LayerFailedException($"evaluation: {_failure}"));
        }

        if (_arrived.Remove(index, out TensorPayload? logits))
        {
            return Task.FromResult(logits);
        }

        _awaitedIndex = index;
        _awaited = new TaskCompletionSource<TensorPayload>(TaskCreationOptions.RunContinuationsAsynchronously);
        return _awaited.Task;
    }
}
