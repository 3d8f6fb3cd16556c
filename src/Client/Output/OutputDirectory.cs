namespace Pcn.Client.Output;

/// <summary>
/// Where results are written, checked before any work starts: a run that trains for an hour and then cannot save its
/// results has lost the hour.
/// </summary>
public static class OutputDirectory
{
    /// <summary>
    /// Creates <paramref name="path"/> (with its parents) if needed, then writes and deletes a probe file in it: the only
    /// sure test that files can be written there (permissions, read-only mounts, a file in the way, a full disk).
    /// </summary>
    /// <exception cref="IOException">The directory cannot be created or written; the message names
    /// <paramref name="option"/>, the path and the reason.</exception>
    public static void RequireWritable(string path, string option)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            Directory.CreateDirectory(path);
            string probe = Path.Combine(path, $".pcn-write-probe-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            string reason = e is UnauthorizedAccessException ? "permission denied" : e.Message.TrimEnd('.');
            throw new IOException($"{option} {path}: the directory cannot be created or written ({reason}); choose a directory this user can write", e);
        }
    }
}
