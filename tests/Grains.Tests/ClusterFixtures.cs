using Orleans.TestingHost;
using Pcn.Grains.Hosting;

namespace Pcn.Grains.Tests;

/// <summary>An in-process Orleans test cluster with Pcn's grains, started once per test class.</summary>
public abstract class ClusterFixture : IAsyncLifetime
{
    private readonly short _silos;

    protected ClusterFixture(short silos) => _silos = silos;

    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(_silos);
        Configure(builder);
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    /// <summary>Adds the silos' configuration: Pcn's grains on one machine, unless a fixture needs other.</summary>
    protected virtual void Configure(TestClusterBuilder builder) => builder.AddSiloBuilderConfigurator<PcnSilo>();

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    private sealed class PcnSilo : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddPcnGrainsOnOneMachine(TestStore.Directory);
    }
}

public sealed class OneSiloCluster() : ClusterFixture(1);

public sealed class ThreeSiloCluster() : ClusterFixture(3);

/// <summary>One silo whose grain calls time out after half a second, much less than a deep batch takes.</summary>
public sealed class ShortResponseTimeoutCluster : IAsyncLifetime
{
    public static readonly TimeSpan ResponseTimeout = TimeSpan.FromMilliseconds(500);

    public TestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(1);
        builder.AddSiloBuilderConfigurator<Configurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    private sealed class Configurator : ISiloConfigurator
    {
        // Grain state in memory: with half a second per call, even a first write of a file under a loaded test run
        // can miss the timeout, and what this fixture tests is a batch longer than the timeout, not storage.
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder
            .AddMemoryGrainStorage(Pcn.Grains.Persistence.PcnStorage.Name)
            .AddPcnGrains(new Pcn.Grains.Persistence.CheckpointSettings(TestStore.Directory))
            .Configure<Orleans.Configuration.SiloMessagingOptions>(o => o.ResponseTimeout = ResponseTimeout);
    }
}
