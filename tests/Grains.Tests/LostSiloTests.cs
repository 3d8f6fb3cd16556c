using Orleans.TestingHost;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;
using Pcn.Grains.Hosting;

namespace Pcn.Grains.Tests;

/// <summary>
/// A silo that dies in the middle of a batch takes its layers' state with it: the run cannot finish that batch. It
/// must end as failed, naming a lost layer, instead of waiting forever for reports that will never come.
/// </summary>
public sealed class LostSiloTests
{
    [Fact]
    public async Task SiloKilledMidBatch_FailsTheRun_NamingALostLayer()
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
                new TrainingOptions(InferenceSteps: 2000, BatchLimit: 20),
                DataSource.FashionMnist() with { LimitTrain = 64 * 20, LimitTest = 64 });
            var coordinator = cluster.GrainFactory.GetGrain<Pcn.Abstractions.Grains.ITrainingCoordinatorGrain>(request.RunId);
            RunSnapshot started = await coordinator.StartAsync(request);
            IReadOnlyList<string> placement = await coordinator.GetPlacementAsync();
            Assert.Equal(2, placement.Distinct().Count());

            // The silo without the coordinator (a lost coordinator is another matter: the run's record goes with it).
            SiloAddress? home = await cluster.GrainFactory.GetGrain<IManagementGrain>(0).GetActivationAddress(coordinator);
            SiloHandle victim = cluster.Silos.Single(s => !s.SiloAddress.Equals(home));

            await cluster.KillSiloAsync(victim);
            (RunSnapshot final, _) = await RunDriver.WaitToEndAsync(coordinator, started, TimeSpan.FromMinutes(3));

            Assert.Equal(RunState.Failed, final.State);
            Assert.Matches("^batch [0-9]+: layer [0-9]+ (lost its state|cannot be reached)", final.Failure);
            Assert.True(final.Batches < 20, $"the run trained all {final.Batches} batches");
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
