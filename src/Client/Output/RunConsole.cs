using Spectre.Console;

namespace Pcn.Client.Output;

/// <summary>
/// Where a run is shown: live (Spectre.Console) only when standard output is a terminal, so that redirected output —
/// which scripts and tests read — stays plain lines without an escape code.
/// </summary>
internal static class RunConsole
{
    /// <summary>A console for live output, or null when standard output is redirected.</summary>
    public static IAnsiConsole? Live { get; } = Console.IsOutputRedirected
        ? null
        : AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out), Ansi = AnsiSupport.Detect, ColorSystem = ColorSystemSupport.Detect });

    /// <summary>The display for a followed run: live unless redirected or <paramref name="quiet"/>.</summary>
    public static IRunDisplay Display(TextWriter output, bool quiet) =>
        Live is { } console && !quiet ? new LiveProgress(console) : new ProgressPrinter(output);
}
