namespace Pcn.Data;

/// <summary>An IDX file (or a pair of them) is malformed; the message names the file and the fault.</summary>
public sealed class IdxFormatException : Exception
{
    /// <summary>Creates the exception; the message is <c>"{path}: {fault}"</c>.</summary>
    public IdxFormatException(string path, string fault)
        : base($"{path}: {fault}")
    {
        FilePath = path;
    }

    /// <summary>Creates the exception with the error that revealed the fault (e.g. a corrupt gzip stream).</summary>
    public IdxFormatException(string path, string fault, Exception innerException)
        : base($"{path}: {fault}", innerException)
    {
        FilePath = path;
    }

    /// <summary>The offending file.</summary>
    public string FilePath { get; }
}
