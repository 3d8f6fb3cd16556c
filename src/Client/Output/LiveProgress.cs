using Pcn.Abstractions.Messages;
using Spectre.Console;

namespace Pcn.Client.Output;

/// <summary>
/// A run's progress on a terminal: a Spectre.Console progress bar of batches, with samples/s, train loss, energy, last
/// test accuracy and time left beside it; events and test accuracies are printed above it as they come.
/// </summary>
internal sealed class LiveProgress(IAnsiConsole console) : IRunDisplay
{
    private readonly ProgressText _text = new();
    private ProgressTask? _bar;

    public Task ShowAsync(Func<Task> follow)
    {
        ArgumentNullException.ThrowIfNull(follow);
        return console.Progress()
            .AutoClear(false)
            .Columns(new ProgressBarColumn { Width = 24 }, new PercentageColumn(), new TaskDescriptionColumn { Alignment = Justify.Left })
            .StartAsync(async context =>
            {
                _bar = context.AddTask("starting…", autoStart: true, maxValue: 1);
                await follow();
                _bar.StopTask();
            });
    }

    public void Notice(params string[] lines)
    {
        foreach (string line in lines)
        {
            Line(line);
        }
    }

    public void Line(string line) => console.MarkupLine(Markup.Escape(line));

    public void Update(RunSnapshot snapshot, BatchSummary? latest)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        foreach (string accuracy in _text.Accuracies(snapshot))
        {
            console.MarkupLine($"  [green]{Markup.Escape(accuracy)}[/]");
        }

        if (_bar is not null)
        {
            _bar.MaxValue = Math.Max(1, snapshot.TotalBatches);
            _bar.Value = snapshot.Batches;
            _bar.Description = Markup.Escape(_text.Status(snapshot, latest));
        }
    }
}
