using System.Diagnostics;

namespace Pcn.Benchmarks;

/// <summary>Measures several cases in interleaved rounds and keeps each case's best round.</summary>
internal static class SideBySide
{
    /// <summary>
    /// Warms every case up (so the JIT's tier-1 code is in place), then runs <paramref name="rounds"/> rounds in which
    /// each case runs its repetitions once; returns each case's best seconds per call.
    /// </summary>
    public static double[] BestSeconds((string Name, Action Run, int Repetitions)[] cases, int rounds, TimeSpan warmup)
    {
        foreach ((string _, Action run, int _) in cases)
        {
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < warmup)
            {
                run();
            }
        }

        double[] best = Enumerable.Repeat(double.MaxValue, cases.Length).ToArray();
        for (int round = 0; round < rounds; round++)
        {
            for (int c = 0; c < cases.Length; c++)
            {
                var clock = Stopwatch.StartNew();
                for (int i = 0; i < cases[c].Repetitions; i++)
                {
                    cases[c].Run();
                }

                best[c] = Math.Min(best[c], clock.Elapsed.TotalSeconds / cases[c].Repetitions);
            }
        }

        return best;
    }
}
