using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pcn.Client.Tests;

/// <summary>Starts pcn and pcn-silo as real processes on 127.0.0.1 and stops them by PID.</summary>
internal static class Processes
{
    private static readonly string Configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string RepositoryRoot { get; } = FindRoot();

    public static string Pcn => Path.Combine(RepositoryRoot, "src", "Client", "bin", Configuration, "net10.0", "pcn.dll");

    public static string Silo => Path.Combine(RepositoryRoot, "src", "Silo", "bin", Configuration, "net10.0", "pcn-silo.dll");

    /// <summary>A free loopback port that nothing else can take before the process it is for binds it.</summary>
    public static int FreePort() => PortReservations.Reserve();

    /// <summary>Runs `dotnet dll args` to completion (killed after <paramref name="timeout"/>); returns exit code and output.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(string dll, IEnumerable<string> args, TimeSpan timeout, string? workingDirectory = null, bool unprivileged = false)
    {
        using Process process = Start(dll, args, workingDirectory, unprivileged);
        var output = new StringBuilder();
        var error = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (output) { output.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (error) { error.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(dll)} {string.Join(' ', args)} did not finish within {timeout}: {output}{error}");
        }

        process.WaitForExit();
        return (process.ExitCode, output.ToString(), error.ToString());
    }

    /// <summary>Runs a program other than a .NET dll (python3, say) to completion; returns exit code and output.</summary>
    public static async Task<(int ExitCode, string Output, string Error)> RunProgramAsync(string program, IEnumerable<string> args, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {program}.");
        Task<string> output = process.StandardOutput.ReadToEndAsync(), error = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await output, await error);
    }

    /// <summary>
    /// Whether <see cref="Start"/> can run a process as an unprivileged user: needed where the tests run as root, whom
    /// file permissions do not stop (the permission cases need a user they stop).
    /// </summary>
    public static bool CanDropPrivileges => !Environment.IsPrivilegedProcess || File.Exists(SetPriv);

    /// <summary>Starts a long-running process (a silo); the caller stops it with <see cref="Stop"/>.</summary>
    /// <param name="dll">The program.</param>
    /// <param name="args">Its arguments.</param>
    /// <param name="workingDirectory">Default: the temporary directory.</param>
    /// <param name="unprivileged">As root, run it as the user nobody (through setpriv), so that file permissions apply.</param>
    public static Process Start(string dll, IEnumerable<string> args, string? workingDirectory = null, bool unprivileged = false)
    {
        bool drop = unprivileged && Environment.IsPrivilegedProcess;
        var info = new ProcessStartInfo(drop ? SetPriv : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // A fresh directory each: a silo keeps its grain state (state/) and checkpoints in its working directory.
            WorkingDirectory = workingDirectory ?? Directory.CreateTempSubdirectory("pcn-process-").FullName,
        };
        if (drop)
        {
            foreach (string arg in (string[])["--reuid=65534", "--regid=65534", "--clear-groups", "dotnet"])
            {
                info.ArgumentList.Add(arg);
            }

            // nobody cannot write root's home, where dotnet keeps its first-run state.
            info.Environment["HOME"] = Path.GetTempPath();
            info.Environment["DOTNET_CLI_HOME"] = Path.GetTempPath();
        }

        info.ArgumentList.Add(dll);
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info) ?? throw new InvalidOperationException($"Could not start {dll}.");
    }

    private static string SetPriv => "/usr/bin/setpriv";

    public static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
    }

    /// <summary>Polls /health until it answers or the deadline passes.</summary>
    public static async Task WaitHealthyAsync(int httpPort, Process process, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        DateTime deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The silo exited with code {process.ExitCode}: {await process.StandardError.ReadToEndAsync()}");
            }

            try
            {
                if ((await http.GetStringAsync($"http://127.0.0.1:{httpPort}/health")) == "healthy")
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The silo on HTTP port {httpPort} did not become healthy within {timeout}.");
    }

    private static string FindRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "Pcn.slnx")))
            {
                return d.FullName;
            }
        }

        throw new InvalidOperationException("Pcn.slnx not found above " + AppContext.BaseDirectory);
    }
}
