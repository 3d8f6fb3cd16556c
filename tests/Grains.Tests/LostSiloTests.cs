using Orleans.TestingHost;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;
using Pcn.Grains.Hosting;

namespace Pcn.Grains.Tests;

/// <summary>
/// A silo that dies in the middle of a batch takes its layers' state with it: the run cannot finish that batch. It
/// must notice (naming a lost layer) instead of waiting forever for reports that will never come, go back to its last
/// checkpoint with the lost layers made again on the silo that remains, and finish. (FailoverTests in Client.Tests
/// kill real silo processes and compare the result with an uninterrupted run bit for bit.)
/// </summary>
public sealed class LostSiloTests
{
    [Fact]
    public async Task SiloKilledMidBatch_TheRunNamesALostLayer_ResumesOnTheSurvivor_AndFinishes()
    {
        var builder = new TestClusterBuilder(2);
        builder.AddSiloBuilderConfigurator<PcnSilo>();
        TestCluster cluster = builder.Build();
        await cluster.DeployAsync();
        try
        {
            // Seconds per batch, so the silo dies inside one; layers 9..17 live on the second silo.
            var request = new RunRequest(
                $"lost-{Guid.NewGuid():N}",
                new NetworkOptions(Depth: 16, Width: 256, Seed: 1),
                new TrainingOptions(InferenceSteps: 300, BatchLimit: 4, CheckpointEvery: 1, EarlyStopAccuracy: 0),
                DataSource.FashionMnist() with { LimitTrain = 64 * 4, LimitTest = 64 });
            var coordinator = cluster.GrainFactory.GetGrain<Pcn.Abstractions.Grains.ITrainingCoordinatorGrain>(request.RunId);
            RunSnapshot started = await coordinator.StartAsync(request);
            IReadOnlyList<string> placement = await coordinator.GetPlacementAsync();
            Assert.Equal(2, placement.Distinct().Count());

            // The silo without the coordinator (a lost coordinator is another matter: the run's record goes with it).
            SiloAddress? home = await cluster.GrainFactory.GetGrain<IManagementGrain>(0).GetActivationAddress(coordinator);
            SiloHandle victim = cluster.Silos.Single(s => !s.SiloAddress.Equals(home));

            await cluster.KillSiloAsync(victim);
            (RunSnapshot final, _) = await RunDriver.WaitToEndAsync(coordinator, started, TimeSpan.FromMinutes(3));

            Assert.True(final.State == RunState.Completed, $"{final.State}: {final.Failure}");
            Assert.Equal(4, final.Batches);
            Assert.Contains(final.Events, e => e.Kind == "failure" && System.Text.RegularExpressions.Regex.IsMatch(e.Message, "^batch [0-9]+: layer [0-9]+ (lost its state|cannot be reached)"));
            Assert.Contains(final.Events, e => e.Kind == "resume");
            Assert.Equal([1, 2, 3, 4], (await coordinator.GetSnapshotAsync(0)).Summaries.Select(s => s.Batch));
            Assert.All(await coordinator.GetPlacementAsync(), silo => Assert.Equal(home!.Endpoint.ToString(), silo));
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    private sealed class PcnSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddPcnGrainsOnOneMachine(TestStore.Directory);
    }
}
