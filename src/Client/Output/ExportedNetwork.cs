using System.Text.Json;
using System.Text.Json.Serialization;
using Pcn.Abstractions.Options;
using Pcn.Network.Checkpoints;
using Pcn.Network.Structure;

namespace Pcn.Client.Output;

/// <summary>
/// A trained network as a file (`pcn export`, read by `pcn train --init-from`): an .npz holding
/// <c>layer_NNN.weight</c> (W_ℓ, N_out × N_in float32, ℓ = 1..L, the names of the checkpoint format) and
/// <c>config.json</c> (the network's options). numpy reads it with <c>numpy.load(path)</c>; PyTorch or JAX take the
/// arrays from there (the forward pass is z_ℓ = s_ℓ·W_ℓ·φ(z_{ℓ−1}) + skip, see docs/spec.md).
/// </summary>
public static class ExportedNetwork
{
    /// <summary>The member holding the network's options.</summary>
    public const string ConfigName = "config.json";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Writes the weights of every layer with the network's options, through a temporary file renamed into place.</summary>
    public static void Write(string path, string runId, int batches, NetworkOptions network, IReadOnlyList<float[]> weights)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(weights);
        var shape = new NetworkShape(network);
        var arrays = new Dictionary<string, NpyArray>();
        for (int l = 1; l <= weights.Count; l++)
        {
            arrays[LayerCheckpoint.Name(l, "weight")] = NpyArray.Of(weights[l - 1], shape[l].OutputDim, shape[l].InputDim);
        }

        byte[] config = JsonSerializer.SerializeToUtf8Bytes(new { format = "pcn-export/1", run = runId, batches, network }, Json);
        using var buffer = new MemoryStream();
        NpzArchive.Write(buffer, arrays, [new KeyValuePair<string, byte[]>(ConfigName, config)]);
        string? directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        DurableFile.Write(path, buffer.ToArray());
    }

    /// <summary>
    /// Checks, before a run starts, that <paramref name="path"/> holds a W_ℓ of the right shape for every layer of
    /// <paramref name="network"/>; an <see cref="InvalidOptionException"/> for --init-from names what is wrong.
    /// </summary>
    public static void Check(string path, NetworkOptions network)
    {
        ArgumentNullException.ThrowIfNull(network);
        if (!File.Exists(path))
        {
            throw new InvalidOptionException("--init-from", path, "no such file; give an .npz written by `pcn export`");
        }

        var shape = new NetworkShape(network);
        try
        {
            LayerCheckpoint.RequireWeights(path, Enumerable.Range(1, shape.LayerCount).Select(l => new LayerShapeInfo(l, shape[l].OutputDim, shape[l].InputDim)));
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOptionException("--init-from", path, $"cannot be used for this network (depth {network.Depth}, width {network.Width}): {e.Message}; give an .npz written by `pcn export` of a run with the same --depth and --width");
        }
    }
}
