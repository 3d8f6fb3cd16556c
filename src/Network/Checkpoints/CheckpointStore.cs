using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Pcn.Abstractions.Messages;

namespace Pcn.Network.Checkpoints;

/// <summary>
/// What makes a checkpoint complete: written last, after every layer file is on disk, so a directory without a
/// manifest is an unfinished checkpoint that is never used.
/// </summary>
/// <param name="Format">"pcn-checkpoint/1".</param>
/// <param name="Run">The run id.</param>
/// <param name="Batch">Batches trained (and committed) when it was taken.</param>
/// <param name="LayerCount">L.</param>
/// <param name="CreatedUtc">When it was completed.</param>
/// <param name="Files">One file per layer.</param>
public sealed record CheckpointManifest(string Format, string Run, int Batch, int LayerCount, DateTimeOffset CreatedUtc, IReadOnlyList<CheckpointPart> Files)
{
    /// <summary>The format tag of this version.</summary>
    public const string CurrentFormat = "pcn-checkpoint/1";
}

/// <summary>
/// Where checkpoints live: <c>{root}/{run}/checkpoint-{batch:000000}/</c> holding <c>layer-NNN.npz</c> per layer and
/// <c>manifest.json</c>. Every silo of a cluster must see the same root (a shared file system on several machines):
/// a layer writes its file on the silo that hosts it, and after a failover it may be read on another.
/// </summary>
public static class CheckpointStore
{
    /// <summary>The manifest's file name.</summary>
    public const string ManifestName = "manifest.json";

    private const string Prefix = "checkpoint-";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.Never };

    /// <summary>The directory of the checkpoint of <paramref name="run"/> after <paramref name="batch"/> batches.</summary>
    public static string DirectoryFor(string root, string run, int batch) =>
        Path.Combine(root, run, string.Create(CultureInfo.InvariantCulture, $"{Prefix}{batch:D6}"));

    /// <summary>Writes the manifest last and durably: from then on the checkpoint counts.</summary>
    public static void Complete(string directory, CheckpointManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        DurableFile.Write(Path.Combine(directory, ManifestName), JsonSerializer.SerializeToUtf8Bytes(manifest, Json));
    }

    /// <summary>The manifest of a complete checkpoint directory, or null when it has none (unfinished) or it cannot be read.</summary>
    public static CheckpointManifest? TryRead(string directory)
    {
        string path = Path.Combine(directory, ManifestName);
        try
        {
            CheckpointManifest? manifest = File.Exists(path) ? JsonSerializer.Deserialize<CheckpointManifest>(File.ReadAllBytes(path), Json) : null;
            return manifest is { Format: CheckpointManifest.CurrentFormat, Files: not null } ? manifest : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The newest complete checkpoint of <paramref name="run"/> at or before <paramref name="atMostBatch"/>, with its directory.</summary>
    public static (string Directory, CheckpointManifest Manifest)? Latest(string root, string run, int atMostBatch = int.MaxValue)
    {
        foreach (string directory in Checkpoints(root, run).OrderByDescending(d => d.Batch).Select(d => d.Directory))
        {
            if (TryRead(directory) is { } manifest && manifest.Batch <= atMostBatch)
            {
                return (directory, manifest);
            }
        }

        return null;
    }

    /// <summary>Deletes all but the newest <paramref name="keep"/> complete checkpoints, and unfinished ones older than those.</summary>
    public static void Prune(string root, string run, int keep)
    {
        var all = Checkpoints(root, run).OrderByDescending(d => d.Batch).ToList();
        int complete = 0;
        foreach ((string directory, _) in all)
        {
            bool isComplete = TryRead(directory) is not null;
            if (isComplete && complete < keep)
            {
                complete++;
                continue;
            }

            if (complete > 0)
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    /// <summary>Deletes every checkpoint of <paramref name="run"/> (and the run's directory when nothing else is left in it).</summary>
    public static void DeleteAll(string root, string run)
    {
        foreach ((string directory, _) in Checkpoints(root, run))
        {
            Directory.Delete(directory, recursive: true);
        }

        string runDirectory = Path.Combine(root, run);
        if (Directory.Exists(runDirectory) && !Directory.EnumerateFileSystemEntries(runDirectory).Any())
        {
            Directory.Delete(runDirectory);
        }
    }

    private static IEnumerable<(string Directory, int Batch)> Checkpoints(string root, string run)
    {
        string runDirectory = Path.Combine(root, run);
        if (!Directory.Exists(runDirectory))
        {
            yield break;
        }

        foreach (string directory in Directory.EnumerateDirectories(runDirectory, Prefix + "*"))
        {
            if (int.TryParse(Path.GetFileName(directory).AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out int batch))
            {
                yield return (directory, batch);
            }
        }
    }
}
