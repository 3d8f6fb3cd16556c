using System.Globalization;
using Pcn.Abstractions.Options;
using Pcn.Network.Structure;

namespace Pcn.Client.Commands;

/// <summary>
/// What a run's tensors take, reckoned from its options before anything is allocated: the options allow H and N up to
/// 65536 and B up to 2²⁰ each, but not every combination. A tensor whose element count does not fit one .NET array
/// (N·N past 2³¹ − 1) would overflow an int deep in a layer, and a network larger than the machine's memory would run
/// out of it after the silo has started; both are refused here, with the sizes named.
/// </summary>
public static class NetworkFootprint
{
    /// <summary>
    /// Per weight: W, Wᵀ, the gradient and Adam's two moments in float32 (each layer keeps all five), and the
    /// double-precision initial weights the layer is built from.
    /// </summary>
    public const long BytesPerWeight = (5 * sizeof(float)) + sizeof(double);

    /// <summary>Per batch row and output unit of a layer: its prediction and two buffers each of errors and activities.</summary>
    public const long BytesPerOutput = 5 * sizeof(float);

    /// <summary>Per batch row and input unit of a layer above the first: its input and two feedback buffers.</summary>
    public const long BytesPerInput = 3 * sizeof(float);

    /// <summary>Per pixel of the data set: the normalised float32 value and the IDX byte it was read from.</summary>
    public const long BytesPerPixel = sizeof(float) + sizeof(byte);

    /// <summary>
    /// Throws <see cref="InvalidOptionException"/> when a tensor of the network has more elements than one array can
    /// hold: N² for a hidden weight matrix (named by --width), B·N for a batch's activities (named by --batch-size).
    /// </summary>
    public static void RequireArraySizes(NetworkOptions network, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(network);
        foreach (LayerShape layer in new NetworkShape(network).Layers)
        {
            long weights = (long)layer.OutputDim * layer.InputDim;
            if (weights > Array.MaxLength)
            {
                throw new InvalidOptionException("--width", network.Width.ToString(CultureInfo.InvariantCulture), $"layer {layer.Index}'s weight matrix would have {layer.OutputDim}×{layer.InputDim} = {weights} elements, more than the {Array.MaxLength} one array can hold; use --width ≤ {(int)Math.Sqrt(Array.MaxLength)}");
            }

            long rows = (long)batchSize * Math.Max(layer.OutputDim, layer.InputDim);
            if (rows > Array.MaxLength)
            {
                throw new InvalidOptionException("--batch-size", batchSize.ToString(CultureInfo.InvariantCulture), $"layer {layer.Index}'s activities for a batch would have {batchSize}×{Math.Max(layer.OutputDim, layer.InputDim)} = {rows} elements, more than the {Array.MaxLength} one array can hold; use --batch-size ≤ {Array.MaxLength / Math.Max(layer.OutputDim, layer.InputDim)}");
            }
        }
    }

    /// <summary>The bytes of the network's tensors (weights, Adam moments, a batch's activities and errors) for every layer.</summary>
    public static long NetworkBytes(NetworkOptions network, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(network);
        long bytes = 0;
        foreach (LayerShape layer in new NetworkShape(network).Layers)
        {
            bytes += BytesPerWeight * layer.OutputDim * layer.InputDim;
            bytes += BytesPerOutput * batchSize * layer.OutputDim;
            if (layer.ActivatesInput)
            {
                bytes += BytesPerInput * batchSize * layer.InputDim;
            }
        }

        return bytes;
    }

    /// <summary>The bytes of a data set of <paramref name="samples"/> samples (training and test) of <paramref name="features"/> pixels.</summary>
    public static long DataBytes(long samples, int features) => BytesPerPixel * samples * features;

    /// <summary>
    /// Throws <see cref="InvalidOptionException"/> when <paramref name="networkBytes"/> (all the networks that run at
    /// once) and <paramref name="dataBytes"/> need more than <paramref name="availableBytes"/>. The option named is the
    /// one whose tensors weigh most: --width for weights (they grow as N²), --batch-size for activities.
    /// </summary>
    public static void RequireMemory(NetworkOptions network, int batchSize, long networkBytes, long dataBytes, long availableBytes, string what)
    {
        ArgumentNullException.ThrowIfNull(network);
        long needed = networkBytes + dataBytes;
        if (needed <= availableBytes)
        {
            return;
        }

        long weights = new NetworkShape(network).Layers.Sum(l => BytesPerWeight * l.OutputDim * l.InputDim);
        bool weightsDominate = weights >= NetworkBytes(network, batchSize) - weights;
        throw new InvalidOptionException(
            weightsDominate ? "--width" : "--batch-size",
            (weightsDominate ? network.Width : batchSize).ToString(CultureInfo.InvariantCulture),
            $"{what} need {Format(needed)} (weights, Adam moments, activities and errors for batches of {batchSize}, data set {Format(dataBytes)}) but this machine has {Format(availableBytes)} available; reduce --width, --depth or --batch-size");
    }

    /// <summary>The memory this process may use: the machine's, or its container's limit.</summary>
    public static long AvailableBytes() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>"21.3 GiB", "512.0 MiB".</summary>
    public static string Format(long bytes) => bytes >= 1L << 30
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):F1} GiB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):F1} MiB");
}
