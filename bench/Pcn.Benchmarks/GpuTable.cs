using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Pcn.Abstractions.Grains;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;
using Pcn.Data;
using Pcn.GpuKernels.Backends;
using Pcn.GpuKernels.Backends.Ilgpu;
using Pcn.Grains.Hosting;
using Pcn.Grains.Persistence;

namespace Pcn.Benchmarks;

/// <summary>
/// <c>pcn-bench --gpu-table</c>: µPC batches per second (B = 64, N = 512, T = H, H = 8 and 128 by default) on each
/// backend, in the single-process network (<see cref="PcBatchCase"/>: one fixed batch of random inputs) and through
/// the layer grains of one silo (Fashion-MNIST batches), each over a few batches after three warm-ups (a layer alternates between two buffers, and the first batch has no update before it, so the first three batches meet new kernel tables), with what each
/// batch asked of the device (<see cref="IPcBackend.Counters"/> read before and after it).
/// </summary>
internal static class GpuTable
{
    private const int BatchSize = 64;
    private const string SinglePath = "single process";
    private const string GrainsPath = "grains (1 silo)";

    /// <summary>Measures and prints the table; returns the process exit code (1 when a row failed).</summary>
    public static async Task<int> RunAsync(GpuTableOptions options)
    {
        CudaProbeResult probe = CudaProbe.Probe();
        Console.WriteLine($"GPU table — µPC, B = {BatchSize}, N = {options.Width}, T = H; {options.Batches} timed batches after three warm-ups; {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        Console.WriteLine(probe);
        // Each row is printed as soon as it is measured, so a run stopped by a time limit keeps what it measured; the
        // whole table, in order, follows at the end.
        var rows = new List<Row>();
        void Report(Row row)
        {
            rows.Add(row);
            Console.WriteLine(Line(row, options.Width));
        }

        PrintHeader();
        foreach (string backend in options.Backends)
        {
            if (backend == "cuda" && probe.Status != CudaStatus.Present)
            {
                string why = $"no working CUDA device (probe: {probe.Status.ToString().ToLowerInvariant()})";
                foreach (int depth in options.Depths)
                {
                    Report(Row.Missing(backend, depth, SinglePath, why));
                    Report(Row.Missing(backend, depth, GrainsPath, why));
                }

                continue;
            }

            SingleProcess(backend, options, Report);
            if (options.Grains)
            {
                await ThroughGrainsAsync(backend, options, Report);
            }
        }

        // One block per backend, in the order asked; within it by depth, the single process first.
        Print([.. rows.OrderBy(r => options.Backends.ToList().IndexOf(r.Backend)).ThenBy(r => r.Depth).ThenBy(r => r.Path == SinglePath ? 0 : 1)], options.Width);
        return rows.Any(r => r.Failed) ? 1 : 0;
    }

    private static void SingleProcess(string backendName, GpuTableOptions options, Action<Row> report)
    {
        IPcBackend backend;
        try
        {
            backend = BenchBackends.Create(backendName);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            foreach (int depth in options.Depths)
            {
                report(Row.Failure(backendName, depth, SinglePath, $"{e.GetType().Name}: {e.Message}"));
            }

            return;
        }

        using (backend)
        {
            foreach (int depth in options.Depths)
            {
                try
                {
                    using var batch = new PcBatchCase(backend, options.Width, depth, steps: depth);
                    for (int warmUp = 0; warmUp < 3; warmUp++)
                    {
                        batch.Run();
                    }

                    double seconds = 0;
                    DeviceCounters total = default;
                    for (int k = 1; k <= options.Batches; k++)
                    {
                        DeviceCounters before = backend.Counters;
                        long start = Stopwatch.GetTimestamp();
                        batch.Run();
                        double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
                        DeviceCounters counts = backend.Counters - before;
                        Console.WriteLine($"  {backendName} H={depth} single process, batch {k}: {1000 * elapsed,9:F1} ms; {Counts(counts, 1)}");
                        seconds += elapsed;
                        total += counts;
                    }

                    report(new Row(backendName, depth, SinglePath, options.Batches / seconds, total, options.Batches, null, false));
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    report(Row.Failure(backendName, depth, SinglePath, $"{e.GetType().Name}: {e.Message}"));
                }
            }
        }
    }

    private static async Task ThroughGrainsAsync(string backend, GpuTableOptions options, Action<Row> report)
    {
        string? missing = null;
        try
        {
            Dataset.Inspect(options.DataDirectory, 10, BatchSize * (options.Batches + 3), BatchSize);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or IdxFormatException)
        {
            missing ??= e.Message;
        }

        if (missing is not null)
        {
            foreach (int depth in options.Depths)
            {
                report(Row.Missing(backend, depth, GrainsPath, missing));
            }

            return;
        }

        var builder = new TestClusterBuilder(1);
        switch (backend)
        {
            case "cuda":
                builder.AddSiloBuilderConfigurator<CudaSilo>();
                break;
            case "ilgpu-cpu":
                builder.AddSiloBuilderConfigurator<IlgpuCpuSilo>();
                break;
            default:
                builder.AddSiloBuilderConfigurator<CpuSilo>();
                break;
        }

        TestCluster cluster = builder.Build();
        await cluster.DeployAsync();
        try
        {
            // The silo's own backend (in this process): its counters are read while the run goes.
            IServiceProvider services = (cluster.Primary as InProcessSiloHandle)?.ServiceProvider
                ?? throw new InvalidOperationException("the benchmark's silo does not run in this process");
            IPcBackend siloBackend = services.GetRequiredService<IPcBackend>();
            foreach (int depth in options.Depths)
            {
                report(await GrainRunAsync(cluster.GrainFactory, siloBackend, backend, depth, options));
            }
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    /// <summary>
    /// One run of 3 + K batches through the grains. Batches/s from the coordinator's batch times (batches 1–3 untimed);
    /// device counts from the silo backend's counters at the first poll that sees each batch count, so they are per
    /// batch as polled (a poll lands anywhere inside a batch), not exact.
    /// </summary>
    private static async Task<Row> GrainRunAsync(IGrainFactory grains, IPcBackend siloBackend, string backend, int depth, GpuTableOptions options)
    {
        int total = options.Batches + 3;
        var request = new RunRequest(
            $"gpu-table-{backend}-{depth}-{Guid.NewGuid():N}",
            new NetworkOptions(depth, options.Width, Seed: 1),
            new TrainingOptions(InferenceSteps: depth, BatchLimit: total, TestEvery: int.MaxValue, CheckpointEvery: 0, EarlyStopAccuracy: 0),
            DataSource.FashionMnist(options.DataDirectory) with { LimitTrain = BatchSize * total, LimitTest = BatchSize });
        ITrainingCoordinatorGrain coordinator = grains.GetGrain<ITrainingCoordinatorGrain>(request.RunId);
        RunSnapshot snapshot = await coordinator.StartAsync(request);
        var summaries = new List<BatchSummary>();
        var polled = new List<(int Batch, DeviceCounters Counters)>();
        while (!snapshot.IsFinished)
        {
            await Task.Delay(10);
            snapshot = await coordinator.GetSnapshotAsync(summaries.Count == 0 ? 0 : summaries[^1].Batch);
            summaries.AddRange(snapshot.Summaries);
            if (snapshot.Batches >= 3 && snapshot.Batches < total && (polled.Count == 0 || polled[^1].Batch < snapshot.Batches))
            {
                polled.Add((snapshot.Batches, siloBackend.Counters));
            }
        }

        await coordinator.DropAsync(keepCheckpoints: false);
        if (snapshot.State != RunState.Completed || summaries.Count < 4)
        {
            return Row.Failure(backend, depth, GrainsPath, $"the run ended {snapshot.State.ToString().ToLowerInvariant()}: {snapshot.Failure}");
        }

        for (int i = 1; i < polled.Count; i++)
        {
            int batches = polled[i].Batch - polled[i - 1].Batch;
            string span = batches == 1 ? $"batch {polled[i].Batch}" : $"batches {polled[i - 1].Batch + 1}–{polled[i].Batch}";
            Console.WriteLine($"  {backend} H={depth} {GrainsPath}, {span} as polled: {Counts(polled[i].Counters - polled[i - 1].Counters, batches)} per batch");
        }

        BatchSummary first = summaries.First(s => s.Batch == 3), last = summaries[^1];
        double rate = (last.Batch - first.Batch) / (last.ElapsedSeconds - first.ElapsedSeconds);
        return polled.Count < 2
            ? new Row(backend, depth, GrainsPath, rate, default, 0, "device counts: batches too quick to poll", false)
            : new Row(backend, depth, GrainsPath, rate, polled[^1].Counters - polled[0].Counters, polled[^1].Batch - polled[0].Batch, null, false);
    }

    private static void Print(List<Row> rows, int width)
    {
        Console.WriteLine();
        PrintHeader();
        foreach (Row row in rows)
        {
            Console.WriteLine(Line(row, width));
        }
    }

    private static void PrintHeader() =>
        Console.WriteLine($"{"backend",-10} {"H",4} {"N",5}  {"path",-16} {"batches/s",10} {"samples/s",10}   per batch: {"launches",9} {"host waits",10} {"allocations",11} {"H→D",10} {"D→H",10}");

    private static string Line(Row row, int width)
    {
        string head = $"{row.Backend,-10} {row.Depth,4} {width,5}  {row.Path,-16}";
        if (row.Rate is not { } rate)
        {
            return $"{head} {(row.Failed ? "FAILED" : "n/a"),10}   {row.Note}";
        }

        string counts = row.CountedBatches == 0
            ? row.Note ?? string.Empty
            : $"{Per(row.Counts.Launches, row.CountedBatches),9} {Per(row.Counts.HostWaits, row.CountedBatches),10} {Per(row.Counts.Allocations, row.CountedBatches),11} {Bytes(row.Counts.HostToDeviceBytes / (double)row.CountedBatches),10} {Bytes(row.Counts.DeviceToHostBytes / (double)row.CountedBatches),10}";
        return $"{head} {rate,10:F2} {rate * BatchSize,10:F1}              {counts}";
    }

    private static string Counts(DeviceCounters c, int batches) =>
        $"launches {Per(c.Launches, batches)}, host waits {Per(c.HostWaits, batches)}, allocations {Per(c.Allocations, batches)}, H→D {Bytes(c.HostToDeviceBytes / (double)batches)}, D→H {Bytes(c.DeviceToHostBytes / (double)batches)}";

    private static string Per(long count, int batches) => (count / (double)batches).ToString(count % batches == 0 ? "F0" : "F1", CultureInfo.InvariantCulture);

    private static string Bytes(double bytes) => bytes switch
    {
        < 1024 => $"{bytes:F0} B",
        < 1024 * 1024 => $"{bytes / 1024:F1} KiB",
        _ => $"{bytes / (1024 * 1024):F1} MiB",
    };

    /// <summary>A silo on one machine whose layers compute on <paramref name="backend"/>.</summary>
    private static void ConfigureSilo(ISiloBuilder silo, string backend) => silo
        .AddPcnFileStorage(Path.Combine(BenchStore.Directory, ".state", $"gpu-table-{backend}"))
        .AddPcnGrains(new CheckpointSettings(BenchStore.Directory), backend);

    /// <summary>One line of the table: a rate and the device counts over <see cref="CountedBatches"/>, or why there is none.</summary>
    private sealed record Row(string Backend, int Depth, string Path, double? Rate, DeviceCounters Counts, int CountedBatches, string? Note, bool Failed)
    {
        public static Row Missing(string backend, int depth, string path, string why) => new(backend, depth, path, null, default, 0, why, false);

        public static Row Failure(string backend, int depth, string path, string why) => new(backend, depth, path, null, default, 0, why, true);
    }

    private sealed class CpuSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => ConfigureSilo(siloBuilder, "cpu");
    }

    private sealed class IlgpuCpuSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => ConfigureSilo(siloBuilder, "ilgpu-cpu");
    }

    private sealed class CudaSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => ConfigureSilo(siloBuilder, "cuda");
    }
}
