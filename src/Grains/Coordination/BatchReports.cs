using Pcn.Abstractions.Messages;

namespace Pcn.Grains.Coordination;

/// <summary>
/// The reports of the batch the coordinator waits for: one per layer, complete when all are in, failed as soon as
/// one layer reports a failure (the others may then wait forever for that layer's messages). Used only on the
/// coordinator's own scheduler, so it needs no lock; a report of another batch (from a batch the run gave up on) is
/// ignored.
/// </summary>
internal sealed class BatchReports
{
    private LayerReport?[] _reports = [];
    private int _batch;
    private int _arrived;
    private TaskCompletionSource<LayerReport[]>? _complete;

    /// <summary>Starts waiting for the reports of <paramref name="batch"/> from <paramref name="layers"/> layers.</summary>
    public Task<LayerReport[]> Expect(int batch, int layers)
    {
        if (_reports.Length != layers)
        {
            _reports = new LayerReport?[layers];
        }

        Array.Clear(_reports);
        (_batch, _arrived) = (batch, 0);
        _complete = new TaskCompletionSource<LayerReport[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        return _complete.Task;
    }

    /// <summary>The layers (1-based) whose report has not come yet.</summary>
    public IEnumerable<int> Missing()
    {
        for (int i = 0; i < _reports.Length; i++)
        {
            if (_reports[i] is null)
            {
                yield return i + 1;
            }
        }
    }

    /// <summary>Takes a report; false when it belongs to no batch being waited for.</summary>
    public bool Add(LayerReport report)
    {
        if (_complete is null || _complete.Task.IsCompleted || report.Batch != _batch || report.Layer < 1 || report.Layer > _reports.Length || _reports[report.Layer - 1] is not null)
        {
            return false;
        }

        if (report.Failure is not null)
        {
            _complete.SetException(new LayerFailedException($"batch {report.Batch}: {report.Failure}"));
            return true;
        }

        _reports[report.Layer - 1] = report;
        if (++_arrived == _reports.Length)
        {
            _complete.SetResult([.. _reports!]);
        }

        return true;
    }
}
