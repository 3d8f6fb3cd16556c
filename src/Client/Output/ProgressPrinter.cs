using Pcn.Abstractions.Messages;

namespace Pcn.Client.Output;

/// <summary>
/// Progress as plain lines, for output that is not a terminal (scripts and tests read these lines): each test accuracy
/// as it comes, and batches, samples/s, train loss, energy, last test accuracy and time left every few seconds.
/// </summary>
internal sealed class ProgressPrinter(TextWriter output) : IRunDisplay
{
    private readonly ProgressText _text = new();
    private DateTime _lastLine = DateTime.MinValue;

    public Task ShowAsync(Func<Task> follow)
    {
        ArgumentNullException.ThrowIfNull(follow);
        return follow();
    }

    public void Notice(params string[] lines)
    {
        output.WriteLine();
        foreach (string line in lines)
        {
            output.WriteLine(line);
        }
    }

    public void Line(string line) => output.WriteLine(line);

    public void Update(RunSnapshot snapshot, BatchSummary? latest)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        foreach (string accuracy in _text.Accuracies(snapshot))
        {
            output.WriteLine("  " + accuracy);
        }

        if (DateTime.UtcNow - _lastLine < TimeSpan.FromSeconds(5) && !snapshot.IsFinished)
        {
            return;
        }

        _lastLine = DateTime.UtcNow;
        output.WriteLine("  " + _text.Status(snapshot, latest));
    }
}
