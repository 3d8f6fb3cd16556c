using Pcn.Abstractions.Messages;

namespace Pcn.Client.Output;

/// <summary>How a followed run is shown: a live progress bar on a terminal (<see cref="LiveProgress"/>), plain lines otherwise (<see cref="ProgressPrinter"/>).</summary>
internal interface IRunDisplay
{
    /// <summary>Shows the display while <paramref name="follow"/> runs.</summary>
    Task ShowAsync(Func<Task> follow);

    /// <summary>Messages set apart from the progress (a run event, lost contact, a stop request).</summary>
    void Notice(params string[] lines);

    /// <summary>A message that follows on from the last one.</summary>
    void Line(string line);

    /// <summary>Shows the state after <paramref name="snapshot"/>, whose summaries are the newest batches.</summary>
    void Update(RunSnapshot snapshot, BatchSummary? latest);
}
