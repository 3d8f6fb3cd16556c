using System.Globalization;
using System.Security.Cryptography;
using Pcn.GpuKernels.Backends;
using Pcn.Network.Layers;

namespace Pcn.Network.Checkpoints;

/// <summary>
/// One layer's part of a checkpoint: an .npz with <c>layer_NNN.weight</c> (W_ℓ, N_out × N_in float32),
/// <c>layer_NNN.adam_m</c> and <c>layer_NNN.adam_v</c> (Adam's moments, same shape) and <c>layer_NNN.adam_step</c>
/// (int64 scalar, Adam steps taken), <c>layer_NNN.updated_batches</c> (int64 scalar, batches with a non-zero update).
/// An exported network uses the same names, with only the weights.
/// </summary>
public static class LayerCheckpoint
{
    /// <summary>The array name of <paramref name="field"/> ("weight", "adam_m", …) of layer ℓ.</summary>
    public static string Name(int layer, string field) => string.Create(CultureInfo.InvariantCulture, $"layer_{layer:D3}.{field}");

    /// <summary>The file of layer ℓ in a checkpoint directory.</summary>
    public static string FileName(int layer) => string.Create(CultureInfo.InvariantCulture, $"layer-{layer:D3}.npz");

    /// <summary>
    /// Writes the layer's state to <paramref name="path"/> through a temporary file renamed into place, flushed to disk
    /// first, so a crash never leaves a partial file under the final name.
    /// </summary>
    /// <returns>The file's size and SHA-256 (hex), which the manifest records.</returns>
    public static (long Bytes, string Sha256) Save(PcLayer layer, IPcBackend backend, string path)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(backend);
        int l = layer.Shape.Index, rows = layer.Shape.OutputDim, columns = layer.Shape.InputDim;
        var arrays = new Dictionary<string, NpyArray>
        {
            [Name(l, "weight")] = NpyArray.Of(Download(backend, layer.Weights), rows, columns),
            [Name(l, "adam_m")] = NpyArray.Of(Download(backend, layer.FirstMoment), rows, columns),
            [Name(l, "adam_v")] = NpyArray.Of(Download(backend, layer.SecondMoment), rows, columns),
            [Name(l, "adam_step")] = NpyArray.Scalar(layer.UpdateCount),
            [Name(l, "updated_batches")] = NpyArray.Scalar(layer.UpdatedBatches),
        };
        using var buffer = new MemoryStream();
        NpzArchive.Write(buffer, arrays);
        byte[] bytes = buffer.ToArray();
        DurableFile.Write(path, bytes);
        return (bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    /// <summary>
    /// Restores the layer from a checkpoint file; with <paramref name="expectedSha256"/>, the file must match it. A file
    /// that lacks the layer's arrays or has other shapes is an <see cref="InvalidDataException"/> naming it.
    /// </summary>
    public static void Load(PcLayer layer, string path, string? expectedSha256)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (expectedSha256 is not null)
        {
            string actual = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
            if (!string.Equals(actual, expectedSha256, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"{path} does not match its checkpoint manifest (SHA-256 {actual}, expected {expectedSha256}); the checkpoint is damaged.");
            }
        }

        Dictionary<string, NpyArray> arrays = NpzArchive.Read(path).Arrays;
        int l = layer.Shape.Index;
        float[] weights = Matrix(arrays, path, Name(l, "weight"), layer);
        float[] m = Matrix(arrays, path, Name(l, "adam_m"), layer);
        float[] v = Matrix(arrays, path, Name(l, "adam_v"), layer);
        long step = arrays.TryGetValue(Name(l, "adam_step"), out NpyArray? s) && s.Integers is { Length: 1 } count
            ? count[0]
            : throw new InvalidDataException($"{path} has no int64 scalar {Name(l, "adam_step")}");
        // Checkpoints written before the learning signal was recorded lack the count: every update counts as non-zero.
        long updated = arrays.TryGetValue(Name(l, "updated_batches"), out NpyArray? u) && u.Integers is { Length: 1 } updates ? updates[0] : step;
        layer.Restore(weights, m, v, checked((int)step), checked((int)updated));
    }

    /// <summary>W_ℓ from an exported network (<c>pcn export</c>), checked against the layer's shape; only that array is read.</summary>
    public static float[] ReadWeights(string path, LayerShapeInfo shape)
    {
        string name = Name(shape.Index, "weight");
        Dictionary<string, NpyArray> arrays = NpzArchive.Read(path, member => member == name).Arrays;
        return Matrix(arrays, path, name, shape.OutputDim, shape.InputDim);
    }

    /// <summary>
    /// Checks, reading the file once, that it holds a W_ℓ of the right shape for every layer in <paramref name="shapes"/>;
    /// an <see cref="InvalidDataException"/> names the file and the first array missing or of another shape.
    /// </summary>
    public static void RequireWeights(string path, IEnumerable<LayerShapeInfo> shapes)
    {
        ArgumentNullException.ThrowIfNull(shapes);
        Dictionary<string, NpyArray> arrays = NpzArchive.Read(path, member => member.EndsWith(".weight", StringComparison.Ordinal)).Arrays;
        foreach (LayerShapeInfo shape in shapes)
        {
            Matrix(arrays, path, Name(shape.Index, "weight"), shape.OutputDim, shape.InputDim);
        }
    }

    private static float[] Matrix(Dictionary<string, NpyArray> arrays, string path, string name, PcLayer layer) =>
        Matrix(arrays, path, name, layer.Shape.OutputDim, layer.Shape.InputDim);

    private static float[] Matrix(Dictionary<string, NpyArray> arrays, string path, string name, int rows, int columns)
    {
        if (!arrays.TryGetValue(name, out NpyArray? array) || array.Floats is null)
        {
            throw new InvalidDataException($"{path} has no float array {name}");
        }

        if (array.Shape is not [int r, int c] || r != rows || c != columns)
        {
            throw new InvalidDataException($"{path}: {name} has shape ({string.Join(", ", array.Shape)}) but this network needs ({rows}, {columns})");
        }

        return array.Floats;
    }

    private static float[] Download(IPcBackend backend, Tensor tensor)
    {
        float[] values = new float[tensor.Rows * tensor.Columns];
        backend.Download(tensor, values);
        return values;
    }
}

/// <summary>A layer's index and the shape of W_ℓ (N_out × N_in).</summary>
/// <param name="Index">ℓ, 1-based.</param>
/// <param name="OutputDim">N_out.</param>
/// <param name="InputDim">N_in.</param>
public readonly record struct LayerShapeInfo(int Index, int OutputDim, int InputDim);

/// <summary>Files written so that a crash leaves either the old file or the whole new one, never part of it.</summary>
public static class DurableFile
{
    /// <summary>Writes <paramref name="bytes"/> to a temporary file beside <paramref name="path"/>, flushes it to disk, and renames it into place.</summary>
    public static void Write(string path, ReadOnlySpan<byte> bytes)
    {
        string temporary = $"{path}.{Environment.ProcessId}.tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
