using System.Diagnostics;
using System.Globalization;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;
using Pcn.GpuKernels.Backends;
using Pcn.GpuKernels.Backends.Cpu;
using Pcn.Network.Checkpoints;
using Pcn.Network.Layers;
using Pcn.Network.Structure;

namespace Pcn.Network.Tests.Checkpoints;

/// <summary>
/// The checkpoint format against numpy itself (Debian's python3-numpy reads what Pcn writes and writes what Pcn
/// reads), a layer's state through a save and a load, and which checkpoint counts as complete.
/// </summary>
public sealed class CheckpointTests : IDisposable
{
    private const string Python = "/usr/bin/python3";
    private readonly string _directory = Directory.CreateTempSubdirectory("pcn-checkpoint-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task AnNpzPcnWrites_NumpyReadsWithTheSameValuesShapesAndConfig()
    {
        float[] matrix = [1.5f, -2.25f, float.Epsilon, 3.4028235e38f, -0f, 1e-30f];
        string path = Path.Combine(_directory, "written.npz");
        using (var file = File.Create(path))
        {
            NpzArchive.Write(file, new Dictionary<string, NpyArray> { ["layer_001.weight"] = NpyArray.Of(matrix, 2, 3), ["layer_001.adam_step"] = NpyArray.Scalar(7) }, [new("config.json", "{\"depth\": 8}"u8.ToArray())]);
        }

        string printed = await RunPythonAsync($$"""
            import numpy as np, json
            a = np.load('{{path}}')
            w = a['layer_001.weight']
            print(w.dtype, w.shape, a['layer_001.adam_step'].dtype, a['layer_001.adam_step'].shape, int(a['layer_001.adam_step']))
            print(' '.join(repr(float(v)) for v in w.ravel()))
            print(json.loads(a.zip.read('config.json'))['depth'])
            """);
        string[] lines = printed.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("float32 (2, 3) int64 () 7", lines[0]);
        Assert.Equal(matrix, lines[1].Split(' ').Select(v => (float)double.Parse(v, CultureInfo.InvariantCulture)));
        Assert.Equal("8", lines[2]);
    }

    [Fact]
    public async Task AnNpzNumpyWrites_PcnReadsWithTheSameValues_FromFloat32AndFloat64()
    {
        string path = Path.Combine(_directory, "numpy.npz");
        await RunPythonAsync($$"""
            import numpy as np
            w = np.arange(12, dtype=np.float32).reshape(3, 4) / 7
            np.savez('{{path}}', **{'layer_002.weight': w, 'as_double': w.astype(np.float64), 'count': np.int64(5)})
            """);

        Dictionary<string, NpyArray> arrays = NpzArchive.Read(path).Arrays;
        float[] expected = Enumerable.Range(0, 12).Select(i => (float)i / 7f).ToArray();
        Assert.Equal([3, 4], arrays["layer_002.weight"].Shape);
        Assert.Equal(expected, arrays["layer_002.weight"].Floats);
        Assert.Equal(expected, arrays["as_double"].Floats);
        Assert.Equal([5L], arrays["count"].Integers!);
    }

    [Fact]
    public void ALayerSavedAndLoaded_HasTheSameWeightsMomentsAndStepCount_AndAWrongChecksumIsRefused()
    {
        using var backend = new CpuBackend(parallelProducts: false);
        var network = new NetworkOptions(Depth: 2, Width: 16, InputDim: 12, OutputDim: 5, Seed: 3);
        LayerShape shape = new NetworkShape(network)[2];
        using var trained = new PcLayer(backend, shape, network.Activation, WeightInitialiser.Initial(network, shape));
        var random = new Random(1);
        float[] m = RandomValues(random, shape), v = RandomValues(random, shape).Select(Math.Abs).ToArray(), w = RandomValues(random, shape);
        trained.Restore(w, m, v, updateCount: 41, updatedBatches: 40);

        string path = Path.Combine(_directory, LayerCheckpoint.FileName(2));
        (long bytes, string sha256) = LayerCheckpoint.Save(trained, backend, path);
        Assert.Equal(new FileInfo(path).Length, bytes);

        using var restored = new PcLayer(backend, shape, network.Activation, WeightInitialiser.Initial(network, shape));
        LayerCheckpoint.Load(restored, path, sha256);
        Assert.Equal(w, Download(backend, restored.Weights));
        Assert.Equal(m, Download(backend, restored.FirstMoment));
        Assert.Equal(v, Download(backend, restored.SecondMoment));
        Assert.Equal(41, restored.UpdateCount);
        Assert.Equal(40, restored.UpdatedBatches);

        // Wᵀ follows W (the forward pass reads it).
        float[] transposed = Download(backend, restored.WeightsTransposed);
        Assert.Equal(w[(1 * shape.InputDim) + 3], transposed[(3 * shape.OutputDim) + 1]);

        InvalidDataException damaged = Assert.Throws<InvalidDataException>(() => LayerCheckpoint.Load(restored, path, new string('0', 64)));
        Assert.Contains(path, damaged.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OnlyCheckpointsWithAManifestCount_AndPruningKeepsTheNewestComplete()
    {
        string root = Path.Combine(_directory, "store");
        foreach (int batch in new[] { 10, 20, 30 })
        {
            string directory = CheckpointStore.DirectoryFor(root, "r", batch);
            Directory.CreateDirectory(directory);
            CheckpointStore.Complete(directory, new CheckpointManifest(CheckpointManifest.CurrentFormat, "r", batch, 1, DateTimeOffset.UtcNow, [new CheckpointPart(1, "layer-001.npz", 1, "00")]));
        }

        // A checkpoint cut off before its manifest (a crash mid-write) is never the latest.
        Directory.CreateDirectory(CheckpointStore.DirectoryFor(root, "r", 40));
        Assert.Equal(30, CheckpointStore.Latest(root, "r")!.Value.Manifest.Batch);
        Assert.Equal(20, CheckpointStore.Latest(root, "r", atMostBatch: 25)!.Value.Manifest.Batch);

        CheckpointStore.Prune(root, "r", keep: 2);
        Assert.Equal(["checkpoint-000020", "checkpoint-000030", "checkpoint-000040"], Directory.GetDirectories(Path.Combine(root, "r")).Select(Path.GetFileName).Order());

        CheckpointStore.DeleteAll(root, "r");
        Assert.False(Directory.Exists(Path.Combine(root, "r")));
    }

    private static float[] RandomValues(Random random, LayerShape shape) =>
        Enumerable.Range(0, shape.OutputDim * shape.InputDim).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();

    private static float[] Download(CpuBackend backend, Tensor tensor)
    {
        float[] values = new float[tensor.Rows * tensor.Columns];
        backend.Download(tensor, values);
        return values;
    }

    private static async Task<string> RunPythonAsync(string script)
    {
        Assert.True(File.Exists(Python), $"{Python} is missing: install Debian's python3-numpy (scripts/install-deps.sh does).");
        var info = new ProcessStartInfo(Python) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-");
        using Process process = Process.Start(info)!;
        await process.StandardInput.WriteAsync(script);
        process.StandardInput.Close();
        Task<string> output = process.StandardOutput.ReadToEndAsync(), error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"python3 failed: {await error}");
        return await output;
    }
}
