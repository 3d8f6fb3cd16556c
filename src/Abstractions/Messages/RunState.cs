namespace Pcn.Abstractions.Messages;

/// <summary>Where a run is in its life.</summary>
[GenerateSerializer]
[Alias("pcn.run-state")]
public enum RunState
{
    /// <summary>Not started.</summary>
    Pending,

    /// <summary>Training.</summary>
    Running,

    /// <summary>Every batch trained.</summary>
    Completed,

    /// <summary>An energy became non-finite; the failure names the layer and step.</summary>
    Diverged,

    /// <summary>Stopped on request.</summary>
    Cancelled,

    /// <summary>Stopped by an error (data, a silo); the failure says which.</summary>
    Failed,
}
