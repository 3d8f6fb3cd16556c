using System.Diagnostics.Metrics;
using Pcn.Abstractions.Grains;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;
using Pcn.Grains.Diagnostics;

namespace Pcn.Grains.Tests;

/// <summary>
/// A 128-layer run exposes exactly one series per layer per per-layer metric, and dropping the finished run removes
/// them (a MeterListener reads the silo's instruments as an exporter would).
/// </summary>
public sealed class MetricsCardinalityTests(OneSiloCluster fixture) : IClassFixture<OneSiloCluster>
{
    [Fact]
    public async Task DeepRun_HasOneSeriesPerLayer_AndDroppingItRemovesThem()
    {
        var request = new RunRequest(
            $"deep-{Guid.NewGuid():N}",
            new NetworkOptions(Depth: 128, Width: 8, Seed: 1),
            new TrainingOptions(InferenceSteps: 2, BatchSize: 16, BatchLimit: 2, TestEvery: 2),
            DataSource.FashionMnist() with { LimitTrain = 64, LimitTest = 32 });
        await RunDriver.RunToEndAsync(fixture.Cluster.GrainFactory, request, TimeSpan.FromMinutes(2));

        Dictionary<string, List<int>> before = Observe(request.RunId);
        Assert.Equal(Enumerable.Range(1, 129), before[MetricNames.LayerEnergy].Order());
        Assert.Equal(Enumerable.Range(1, 129), before[MetricNames.LayerWeightNorm].Order());
        Assert.Equal(Enumerable.Range(1, 129), before[MetricNames.LayerWeightUpdateNorm].Order());
        Assert.Equal(Enumerable.Range(1, 129), before[MetricNames.LayerNonFinite].Order());
        Assert.Equal(Enumerable.Range(1, 128), before[MetricNames.LayerActivityGradientRms].Order());

        await fixture.Cluster.GrainFactory.GetGrain<ITrainingCoordinatorGrain>(request.RunId).DropAsync(keepCheckpoints: false);

        Dictionary<string, List<int>> after = Observe(request.RunId);
        Assert.Empty(after[MetricNames.LayerEnergy]);
        Assert.All(after.Values, series => Assert.Empty(series));
        Assert.Empty(after[MetricNames.RunTrainLoss]);
    }

    /// <summary>The layers (0 for run-level series) of <paramref name="run"/> in each observable gauge of every Pcn meter in the process.</summary>
    private static Dictionary<string, List<int>> Observe(string run)
    {
        var seen = new Dictionary<string, List<int>>
        {
            [MetricNames.LayerEnergy] = [], [MetricNames.LayerWeightNorm] = [], [MetricNames.LayerActivityGradientRms] = [],
            [MetricNames.LayerWeightUpdateNorm] = [], [MetricNames.LayerNonFinite] = [], [MetricNames.RunTrainLoss] = [],
        };
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == MetricNames.Meter && seen.ContainsKey(instrument.Name))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            string? tagRun = null;
            int layer = 0;
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                (tagRun, layer) = tag.Key switch
                {
                    "run" => ((string?)tag.Value, layer),
                    "layer" => (tagRun, (int)tag.Value!),
                    _ => (tagRun, layer),
                };
            }

            if (tagRun == run)
            {
                lock (seen)
                {
                    seen[instrument.Name].Add(layer);
                }
            }
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return seen;
    }
}
