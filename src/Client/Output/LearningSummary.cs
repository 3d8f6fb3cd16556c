using System.Globalization;
using Pcn.Abstractions.Messages;

namespace Pcn.Client.Output;

/// <summary>
/// Which layers of a run learned, in words: "layers 117–129 learned (relative change 1.2E-07 to 0.31); 1–116
/// unchanged". A layer learned when its weights moved at all from initialisation (relative change &gt; 0).
/// </summary>
public static class LearningSummary
{
    /// <summary>The sentence for the learning signal of ℓ = 1..L.</summary>
    public static string Describe(IReadOnlyList<LayerLearning> learning)
    {
        ArgumentNullException.ThrowIfNull(learning);
        int[] learned = [.. Enumerable.Range(1, learning.Count).Where(l => learning[l - 1].RelativeChange > 0)];
        int[] unchanged = [.. Enumerable.Range(1, learning.Count).Where(l => !(learning[l - 1].RelativeChange > 0))];
        if (learned.Length == 0)
        {
            return $"no layer learned: all {learning.Count} keep their initial weights";
        }

        double least = learned.Min(l => learning[l - 1].RelativeChange), most = learned.Max(l => learning[l - 1].RelativeChange);
        string moved = string.Create(CultureInfo.InvariantCulture, $"{(learned.Length == 1 ? "layer" : "layers")} {Ranges(learned)} learned (relative change {least:G2}{(learned.Length > 1 ? string.Create(CultureInfo.InvariantCulture, $" to {most:G2}") : string.Empty)})");
        return unchanged.Length == 0 ? $"{moved}; none unchanged" : $"{moved}; {Ranges(unchanged)} unchanged";
    }

    /// <summary>Sorted layer numbers as ranges: 1–3, 5, 7–9.</summary>
    public static string Ranges(IReadOnlyList<int> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        var parts = new List<string>();
        for (int i = 0; i < layers.Count;)
        {
            int j = i;
            while (j + 1 < layers.Count && layers[j + 1] == layers[j] + 1)
            {
                j++;
            }

            parts.Add(j == i ? layers[i].ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{layers[i]}–{layers[j]}"));
            i = j + 1;
        }

        return string.Join(", ", parts);
    }
}
