namespace Pcn.Benchmarks;

/// <summary>One configuration of the grain benchmark (B = 64).</summary>
/// <param name="Depth">H.</param>
/// <param name="Width">N.</param>
/// <param name="Steps">T.</param>
/// <param name="Batches">Batches per run, the first tenth (at least two) untimed.</param>
internal sealed record GrainConfig(int Depth, int Width, int Steps, int Batches);
