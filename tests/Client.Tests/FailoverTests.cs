using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Pcn.Network.Checkpoints;

namespace Pcn.Client.Tests;

/// <summary>
/// The kill matrix: a 3-silo cluster (real pcn-silo processes, Redis clustering and grain storage, failure detection
/// tuned short), a run that trains through it, and `kill -9` of one part once the run has a checkpoint. Each case must
/// end in a completed run whose final weights and per-batch history equal those of a run nobody interrupted.
/// </summary>
public sealed class FailoverTests(Xunit.Abstractions.ITestOutputHelper log)
{
    /// <summary>A run of 512 batches with a checkpoint every 40; small enough for CI, long enough to be cut.</summary>
    private static readonly string[] RunOptions =
        ["--depth", "6", "--width", "64", "--limit-train", "16384", "--limit-test", "256", "--epochs", "2", "--test-every", "100", "--checkpoint-every", "40", "--early-stop", "0", "--quiet"];

    private static readonly Lazy<Task<(string Weights, JsonElement Results)>> Uninterrupted = new(RunUninterruptedAsync);

    /// <summary>What is killed.</summary>
    public enum Victim
    {
        /// <summary>A silo holding layers, neither the coordinator's nor the client's first gateway.</summary>
        LayerSilo,

        /// <summary>The silo hosting the run's coordinator.</summary>
        CoordinatorSilo,

        /// <summary>The client's first gateway.</summary>
        GatewaySilo,

        /// <summary>The `pcn train` process.</summary>
        Client,

        /// <summary>Redis (restarted empty on the same port): membership and stored runs are gone.</summary>
        RedisRestart,
    }

    [Theory]
    [InlineData(Victim.LayerSilo)]
    [InlineData(Victim.CoordinatorSilo)]
    [InlineData(Victim.GatewaySilo)]
    [InlineData(Victim.Client)]
    public async Task KilledMidRun_TheRunResumesFromItsLastCheckpoint_AndEqualsAnUninterruptedRun(Victim victim)
    {
        (string referenceWeights, JsonElement reference) = await Uninterrupted.Value;
        await using LocalCluster cluster = await LocalCluster.StartAsync(3);
        string runs = Path.Combine(cluster.Directory, "runs");
        string gateways = cluster.Gateways;
        var clientOutput = new StringBuilder();
        using Process client = Processes.Start(Processes.Pcn, ["train", "--cluster", gateways, "--run-id", "cut", "--runs-dir", runs, .. RunOptions]);
        client.OutputDataReceived += (_, e) => { lock (clientOutput) { clientOutput.AppendLine(e.Data); } };
        client.ErrorDataReceived += (_, e) => { lock (clientOutput) { clientOutput.AppendLine(e.Data); } };
        client.BeginOutputReadLine();
        client.BeginErrorReadLine();
        try
        {
            string firstCheckpoint = Path.Combine(cluster.Directory, "checkpoints", "cut", "checkpoint-000040", CheckpointStore.ManifestName);
            await WaitForAsync(() => File.Exists(firstCheckpoint) || client.HasExited, TimeSpan.FromMinutes(2), "the run's first checkpoint");
            Assert.False(client.HasExited, $"the run ended before it could be cut: {clientOutput}");

            JsonElement roles = await ResultsAsync(cluster, "peek");
            string coordinatorSilo = roles.GetProperty("coordinatorSilo").GetString()!;
            string[] layerSilos = [.. roles.GetProperty("placement").EnumerateArray().Select(p => p.GetProperty("silo").GetString()!)];
            Assert.Equal("running", roles.GetProperty("state").GetString());
            int killedAt = roles.GetProperty("timings").GetProperty("batches").GetInt32();

            string killed;
            DateTimeOffset killedTime = DateTimeOffset.UtcNow;
            switch (victim)
            {
                case Victim.Client:
                    client.Kill();
                    killed = "the client";
                    break;
                default:
                    LocalCluster.Silo silo = victim switch
                    {
                        Victim.CoordinatorSilo => cluster.SiloAt(coordinatorSilo),
                        Victim.GatewaySilo => cluster.Silos[0],
                        _ => cluster.Silos.FirstOrDefault(s => s != cluster.Silos[0] && !coordinatorSilo.EndsWith($":{s.SiloPort}", StringComparison.Ordinal) && layerSilos.Any(l => l.EndsWith($":{s.SiloPort}", StringComparison.Ordinal)))
                            ?? cluster.Silos.First(s => !coordinatorSilo.EndsWith($":{s.SiloPort}", StringComparison.Ordinal) && layerSilos.Any(l => l.EndsWith($":{s.SiloPort}", StringComparison.Ordinal))),
                    };
                    silo.Kill();
                    killed = $"silo {silo.SiloPort}";
                    break;
            }

            JsonElement results;
            if (victim == Victim.Client)
            {
                // Nothing lives only in the client: the run goes on in the cluster, `pcn attach` follows it to its end
                // and writes its results.json from the history the cluster keeps.
                (int attached, string attachOutput, string attachError) = await Processes.RunAsync(Processes.Pcn, ["attach", "--cluster", cluster.Gateways, "--run", "cut", "--runs-dir", runs, "--quiet"], TimeSpan.FromMinutes(4));
                Assert.True(attached == 0, $"pcn attach exited {attached}: {attachOutput}{attachError}");
                results = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(runs, "cut", "results.json"))).RootElement;
            }
            else
            {
                await WaitForAsync(() => client.HasExited, TimeSpan.FromMinutes(4), "the client to finish");
                Assert.True(client.ExitCode == 0, $"after killing {killed} at batch {killedAt}, pcn train exited {client.ExitCode}: {clientOutput}\n{string.Join("\n---\n", cluster.Silos.Select(s => s.Tail))}");
                results = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(runs, "cut", "results.json"))).RootElement;
                JsonElement[] events = [.. results.GetProperty("events").EnumerateArray()];
                foreach (JsonElement e in events)
                {
                    log.WriteLine($"{victim}: killed {killed} at batch {killedAt} ({killedTime:HH:mm:ss.fff}); event {e.GetProperty("kind").GetString()} at batch {e.GetProperty("batch").GetInt32()} ({e.GetProperty("time").GetDateTimeOffset():HH:mm:ss.fff}): {e.GetProperty("message").GetString()}");
                }

                Assert.Contains(events, e => e.GetProperty("kind").GetString() == "failure");
                Assert.Contains(events, e => e.GetProperty("kind").GetString() is "resume" or "restart");
            }

            Assert.Equal("completed", results.GetProperty("state").GetString());
            AssertSameHistory(reference, results);
            string weights = Path.Combine(cluster.Directory, "cut.npz");
            (int code, string output, string error) = await Processes.RunAsync(Processes.Pcn, ["export", "--cluster", cluster.Gateways, "--run", "cut", "--out", weights], TimeSpan.FromMinutes(2));
            Assert.True(code == 0, $"pcn export exited {code}: {output}{error}");
            AssertSameWeights(referenceWeights, weights);
        }
        finally
        {
            Processes.Stop(client);
        }
    }

    [Fact]
    public async Task AnEmbeddedRunKilledMidway_IsMarkedInterrupted_AndResumesToTheUninterruptedResult()
    {
        (string referenceWeights, JsonElement reference) = await Uninterrupted.Value;
        string runs = Directory.CreateTempSubdirectory("pcn-embedded-resume-").FullName;
        using (Process client = Processes.Start(Processes.Pcn, ["train", "--run-id", "cut", "--runs-dir", runs, .. RunOptions]))
        {
            client.OutputDataReceived += (_, _) => { };
            client.ErrorDataReceived += (_, _) => { };
            client.BeginOutputReadLine();
            client.BeginErrorReadLine();
            string checkpoint = Path.Combine(runs, "cut", "checkpoint-000040", CheckpointStore.ManifestName);
            await WaitForAsync(() => File.Exists(checkpoint) || client.HasExited, TimeSpan.FromMinutes(2), "the run's first checkpoint");
            Assert.False(client.HasExited, "the run ended before it could be cut");
            client.Kill();
            await client.WaitForExitAsync();
        }

        (int code, string output, string error) = await Processes.RunAsync(Processes.Pcn, ["status", "--runs-dir", runs], TimeSpan.FromMinutes(1));
        Assert.True(code == 0, $"pcn status exited {code}: {output}{error}");
        Assert.Matches("cut +failed .*interrupted.*pcn train --resume cut", output);

        (code, output, error) = await Processes.RunAsync(Processes.Pcn, ["train", "--resume", "cut", "--runs-dir", runs, "--quiet"], TimeSpan.FromMinutes(3));
        Assert.True(code == 0, $"pcn train --resume exited {code}: {output}{error}");
        JsonElement results = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(runs, "cut", "results.json"))).RootElement;
        Assert.Equal("completed", results.GetProperty("state").GetString());
        AssertSameHistory(reference, results);

        string weights = Path.Combine(runs, "cut.npz");
        (code, output, error) = await Processes.RunAsync(Processes.Pcn, ["export", "--runs-dir", runs, "--run", "cut", "--out", weights], TimeSpan.FromMinutes(2));
        Assert.True(code == 0, $"pcn export exited {code}: {output}{error}");
        AssertSameWeights(referenceWeights, weights);

        // A user's numpy (Debian's python3-numpy) reads the exported file: every layer's shape and values, and the network.
        (code, output, error) = await Processes.RunProgramAsync("/usr/bin/python3", ["-c", $$"""
            import numpy as np, json
            a = np.load('{{weights}}')
            config = json.loads(a.zip.read('config.json'))
            print(config['network']['depth'], config['network']['width'], config['batches'])
            for name in sorted(k for k in a.files if k.endswith('.weight')):
                w = a[name]
                print(name, w.dtype, w.shape[0], w.shape[1], ' '.join(repr(float(v)) for v in w.ravel()))
            """], TimeSpan.FromMinutes(1));
        Assert.True(code == 0, $"numpy could not read {weights}: {error}");
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("6 64 512", lines[0]);
        Dictionary<string, NpyArray> exported = NpzArchive.Read(weights).Arrays;
        Assert.Equal(7, lines.Length - 1);
        foreach (string line in lines.Skip(1))
        {
            string[] fields = line.Split(' ');
            NpyArray array = exported[fields[0]];
            Assert.Equal(("float32", array.Shape[0], array.Shape[1]), (fields[1], int.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture), int.Parse(fields[3], System.Globalization.CultureInfo.InvariantCulture)));
            Assert.Equal(array.Floats!, fields.Skip(4).Select(v => (float)double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    private static async Task<(string Weights, JsonElement Results)> RunUninterruptedAsync()
    {
        string runs = Directory.CreateTempSubdirectory("pcn-uninterrupted-").FullName;
        (int code, string output, string error) = await Processes.RunAsync(Processes.Pcn, ["train", "--run-id", "whole", "--runs-dir", runs, .. RunOptions], TimeSpan.FromMinutes(3));
        Assert.True(code == 0, $"the uninterrupted run exited {code}: {output}{error}");
        string weights = Path.Combine(runs, "whole.npz");
        (code, output, error) = await Processes.RunAsync(Processes.Pcn, ["export", "--runs-dir", runs, "--run", "whole", "--out", weights], TimeSpan.FromMinutes(2));
        Assert.True(code == 0, $"pcn export exited {code}: {output}{error}");
        return (weights, JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(runs, "whole", "results.json"))).RootElement);
    }

    /// <summary>`pcn results` of the run into a directory of its own; the run's results.json as the cluster has it.</summary>
    private static async Task<JsonElement> ResultsAsync(LocalCluster cluster, string name)
    {
        string directory = Path.Combine(cluster.Directory, name);
        (int code, string output, string error) = await Processes.RunAsync(Processes.Pcn, ["results", "--cluster", cluster.Gateways, "--run", "cut", "--runs-dir", directory], TimeSpan.FromMinutes(2));
        Assert.True(code == 0, $"pcn results exited {code}: {output}{error}");
        return JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(directory, "cut", "results.json"))).RootElement;
    }

    private static void AssertSameHistory(JsonElement expected, JsonElement actual)
    {
        JsonElement[] a = [.. expected.GetProperty("batches").EnumerateArray()], b = [.. actual.GetProperty("batches").EnumerateArray()];
        Assert.Equal(a.Length, b.Length);
        for (int i = 0; i < a.Length; i++)
        {
            Assert.Equal(a[i].GetProperty("batch").GetInt32(), b[i].GetProperty("batch").GetInt32());
            Assert.Equal(a[i].GetProperty("trainLoss").GetRawText(), b[i].GetProperty("trainLoss").GetRawText());
            Assert.Equal(a[i].GetProperty("layerEnergies").GetRawText(), b[i].GetProperty("layerEnergies").GetRawText());
        }

        Assert.Equal(
            expected.GetProperty("accuracy").EnumerateArray().Select(x => (x.GetProperty("batch").GetInt32(), x.GetProperty("accuracy").GetRawText())),
            actual.GetProperty("accuracy").EnumerateArray().Select(x => (x.GetProperty("batch").GetInt32(), x.GetProperty("accuracy").GetRawText())));
    }

    private static void AssertSameWeights(string expectedFile, string actualFile)
    {
        Dictionary<string, NpyArray> expected = NpzArchive.Read(expectedFile).Arrays, actual = NpzArchive.Read(actualFile).Arrays;
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach ((string name, NpyArray array) in expected)
        {
            Assert.Equal(array.Shape, actual[name].Shape);
            Assert.True(array.Floats!.AsSpan().SequenceEqual(actual[name].Floats), $"{name} differs from the uninterrupted run's");
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited {timeout} for {what}.");
            }

            await Task.Delay(100);
        }
    }
}
