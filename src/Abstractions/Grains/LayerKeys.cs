using System.Globalization;

namespace Pcn.Abstractions.Grains;

/// <summary>Layer grain keys, "{run}/{ℓ}/{L}": the layer count lets placement put contiguous blocks on each silo.</summary>
public static class LayerKeys
{
    /// <summary>The key of layer ℓ of L in <paramref name="runId"/>.</summary>
    public static string For(string runId, int layer, int layerCount) =>
        string.Create(CultureInfo.InvariantCulture, $"{runId}/{layer}/{layerCount}");

    /// <summary>Parses a key made by <see cref="For"/>.</summary>
    public static (string RunId, int Layer, int LayerCount) Parse(string key)
    {
        string[] parts = key.Split('/');
        if (parts.Length != 3 || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out int layer) || !int.TryParse(parts[2], CultureInfo.InvariantCulture, out int count) || layer < 1 || layer > count)
        {
            throw new ArgumentException($"'{key}' is not a layer key (run/layer/layerCount).", nameof(key));
        }

        return (parts[0], layer, count);
    }
}
