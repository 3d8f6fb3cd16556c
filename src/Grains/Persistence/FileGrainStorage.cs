using System.Buffers.Binary;
using System.Text;
using Orleans.Storage;
using Pcn.Network.Checkpoints;

namespace Pcn.Grains.Persistence;

/// <summary>
/// Grain storage in files under one directory, for the embedded silo and clusters on one machine (Redis holds grain
/// state when silos run on several machines). One file per grain and state, written through a temporary file renamed
/// into place, so a crash leaves the old state or the new one. Each file starts with its ETag: a write whose ETag is
/// not the stored one (a second activation of the same grain) is refused, as Orleans' own providers do.
/// </summary>
internal sealed class FileGrainStorage(string directory, IGrainStorageSerializer serializer) : IGrainStorage
{
    /// <summary>The directory holding the state files.</summary>
    public string Directory { get; } = Path.GetFullPath(directory);

    /// <inheritdoc/>
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        string path = PathOf(stateName, grainId);
        if (!File.Exists(path))
        {
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        byte[] bytes = await File.ReadAllBytesAsync(path);
        (string etag, ReadOnlyMemory<byte> payload) = Split(bytes, path);
        grainState.State = serializer.Deserialize<T>(payload);
        grainState.ETag = etag;
        grainState.RecordExists = true;
    }

    /// <inheritdoc/>
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        string path = PathOf(stateName, grainId);
        string? stored = File.Exists(path) ? await ReadETagAsync(path) : null;
        if (!string.Equals(stored, grainState.ETag, StringComparison.Ordinal))
        {
            throw new InconsistentStateException($"The state of {grainId} in {path} was written by another activation (ETag {stored}, expected {grainState.ETag}).", stored, grainState.ETag);
        }

        string etag = Guid.NewGuid().ToString("N");
        byte[] payload = serializer.Serialize(grainState.State).ToArray();
        byte[] tag = Encoding.ASCII.GetBytes(etag);
        byte[] file = new byte[4 + tag.Length + payload.Length];
        BinaryPrimitives.WriteInt32LittleEndian(file, tag.Length);
        tag.CopyTo(file, 4);
        payload.CopyTo(file, 4 + tag.Length);
        System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        DurableFile.Write(path, file);
        grainState.ETag = etag;
        grainState.RecordExists = true;
    }

    /// <inheritdoc/>
    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        File.Delete(PathOf(stateName, grainId));
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    private string PathOf(string stateName, GrainId grainId) =>
        Path.Combine(Directory, Escape(stateName), Escape(grainId.ToString()) + ".state");

    /// <summary>Grain ids contain '/' (layer keys) and other characters file names should not: keep [A-Za-z0-9._-], hex-escape the rest.</summary>
    private static string Escape(string name)
    {
        var escaped = new StringBuilder(name.Length);
        foreach (char c in name)
        {
            if (char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')
            {
                escaped.Append(c);
            }
            else
            {
                escaped.Append('%').Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return escaped.ToString();
    }

    /// <summary>The ETag at the head of a state file, without reading the state after it (a run's whole history).</summary>
    private static async Task<string> ReadETagAsync(string path)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 256, useAsync: true);
        byte[] head = new byte[Math.Min(file.Length, 4 + 64)];
        await file.ReadExactlyAsync(head);
        int length = head.Length >= 4 ? BinaryPrimitives.ReadInt32LittleEndian(head) : -1;
        if (length < 0 || 4 + length > head.Length)
        {
            throw new InvalidDataException($"{path} is not a grain state file Pcn wrote (it is truncated or damaged).");
        }

        return Encoding.ASCII.GetString(head, 4, length);
    }

    private static (string ETag, ReadOnlyMemory<byte> Payload) Split(byte[] bytes, string path)
    {
        int length = bytes.Length >= 4 ? BinaryPrimitives.ReadInt32LittleEndian(bytes) : -1;
        if (length < 0 || 4 + length > bytes.Length)
        {
            throw new InvalidDataException($"{path} is not a grain state file Pcn wrote (it is truncated or damaged).");
        }

        return (Encoding.ASCII.GetString(bytes, 4, length), bytes.AsMemory(4 + length));
    }
}
