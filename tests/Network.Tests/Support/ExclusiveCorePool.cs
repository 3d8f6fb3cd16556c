namespace Pcn.Network.Tests.Support;

/// <summary>
/// Tests that must have the process-wide core pool to themselves (allocation counts would otherwise include the
/// first run of code paths that only concurrent tests take).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ExclusiveCorePool
{
    public const string Name = "Sequential";
}
