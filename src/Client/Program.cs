using Pcn.Abstractions.Options;
using Pcn.Client.CommandLine;
using Pcn.Client.Connection;

// pcn: drives Pcn training runs. Exit codes: 0 done, 1 error, 2 invalid options, 3 diverged, 130 cancelled.
var startup = new Pcn.Client.Output.StartupTimings.Clock();
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (!stop.IsCancellationRequested)
    {
        e.Cancel = true;  // the first Ctrl-C stops the run cleanly; a second one ends the process
        stop.Cancel();
    }
};

try
{
    return await PcnCommandLine.InvokeAsync(PcnCommandLine.Parse(PcnCommandLine.Create(startup), args), stop.Token);
}
catch (InvalidOptionException e)
{
    Console.Error.WriteLine($"pcn: {e.Message}");
    return 2;
}
catch (ClusterUnreachableException e)
{
    Console.Error.WriteLine($"pcn: {e.Message}");
    return 1;
}
catch (Exception e) when (e is ArgumentException or InvalidOperationException or FileNotFoundException or DirectoryNotFoundException or IOException or FormatException or UnauthorizedAccessException or Pcn.Data.IdxFormatException)
{
    // Errors a grain reports back (bad data, an existing run id) arrive here with their message intact; so do bad input files.
    Console.Error.WriteLine($"pcn: {OneLine(e.Message)}");
    return e is ArgumentException ? 2 : 1;
}
catch (Exception e)
{
    // Whatever was missed above still ends in one line and exit 1, not a stack trace and exit 134; the type is named
    // because this is a bug to report. PCN_TRACE=1 prints the trace for whoever fixes it.
    Console.Error.WriteLine($"pcn: unexpected error ({e.GetType().Name}): {OneLine(e.Message)}; please report it with the command line");
    if (Environment.GetEnvironmentVariable("PCN_TRACE") == "1")
    {
        Console.Error.WriteLine(e);
    }

    return 1;
}

// Some messages (a grain's, the runtime's) span lines; one line keeps them readable next to the progress display.
static string OneLine(string message) => string.Join(' ', message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
