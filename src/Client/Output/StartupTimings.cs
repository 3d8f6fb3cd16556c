using System.Diagnostics;

namespace Pcn.Client.Output;

/// <summary>
/// What `pcn train` spent before its first batch: the .NET runtime up to the client's first line of code, the
/// embedded silo's start (or the connection to a cluster), and the run's set-up in the cluster (data set, layer
/// grains and their weights, as the coordinator measured it).
/// </summary>
/// <param name="RuntimeSeconds">Process start to the client's entry point.</param>
/// <param name="ClusterSeconds">Entry point to the run's start request: the embedded silo started, or the cluster reached.</param>
/// <param name="RunSetupSeconds">The start request to the first batch.</param>
public sealed record StartupTimings(double RuntimeSeconds, double ClusterSeconds, double RunSetupSeconds)
{
    /// <summary>Process start to the first batch.</summary>
    public double TotalSeconds => RuntimeSeconds + ClusterSeconds + RunSetupSeconds;

    /// <summary>A clock started at the client's entry point, which knows how long the process ran before it.</summary>
    public sealed class Clock
    {
        private readonly Stopwatch _sinceEntry = Stopwatch.StartNew();
        private readonly double _beforeEntry = ProcessAge();
        private double _requested = double.NaN;

        /// <summary>Marks the moment the run's start request is sent.</summary>
        public void RunRequested() => _requested = _sinceEntry.Elapsed.TotalSeconds;

        /// <summary>The breakdown, given the coordinator's set-up time.</summary>
        public StartupTimings Complete(double runSetupSeconds) => new(_beforeEntry, _requested, runSetupSeconds);

        private static double ProcessAge()
        {
            using Process self = Process.GetCurrentProcess();
            return Math.Max(0, (DateTime.Now - self.StartTime).TotalSeconds);
        }
    }
}
