namespace Pcn.Abstractions.Runs;

/// <summary>Whether a poll of a <see cref="RunWatcher"/> reached its run.</summary>
public enum RunContact
{
    /// <summary>The run answered, as it did before.</summary>
    Kept,

    /// <summary>The run did not answer; it answered the poll before.</summary>
    Lost,

    /// <summary>The run did not answer, again.</summary>
    StillLost,

    /// <summary>The run answered after polls it did not answer.</summary>
    Regained,
}
