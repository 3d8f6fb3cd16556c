using Pcn.Abstractions.Options;

namespace Pcn.Abstractions.Messages;

/// <summary>Everything that defines a training run.</summary>
/// <param name="RunId">A name unique in the cluster (letters, digits, '-', '_', '.').</param>
/// <param name="Network">The network.</param>
/// <param name="Training">How it is trained.</param>
/// <param name="Data">The data set.</param>
/// <param name="InitFrom">
/// An exported network (<c>pcn export</c>, an .npz with <c>layer_NNN.weight</c> arrays) to start from instead of the
/// seed's initial weights; a path every silo can read.
/// </param>
[GenerateSerializer]
[Immutable]
[Alias("pcn.run-request")]
public sealed record RunRequest([property: Id(0)] string RunId, [property: Id(1)] NetworkOptions Network, [property: Id(2)] TrainingOptions Training, [property: Id(3)] DataSource Data, [property: Id(4)] string? InitFrom = null);
