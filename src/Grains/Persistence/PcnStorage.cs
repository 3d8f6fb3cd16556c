using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;

namespace Pcn.Grains.Persistence;

/// <summary>The grain storage that holds runs and the run registry.</summary>
public static class PcnStorage
{
    /// <summary>The storage provider's name.</summary>
    public const string Name = "pcn";

    /// <summary>
    /// Pcn's state is stored with Orleans' own binary serializer: the types are already [GenerateSerializer] records
    /// (a run's request, its batch summaries), so nothing needs a second, JSON-shaped definition.
    /// </summary>
    public static IGrainStorageSerializer Serializer(IServiceProvider services) =>
        new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>());

    /// <summary>Stores grain state in files under <paramref name="directory"/> (one machine).</summary>
    public static ISiloBuilder AddPcnFileStorage(this ISiloBuilder builder, string directory) => builder.AddPcnFileStorage(_ => directory);

    /// <summary>Stores grain state in files under a directory chosen from the silo's services (its cluster id, say).</summary>
    public static ISiloBuilder AddPcnFileStorage(this ISiloBuilder builder, Func<IServiceProvider, string> directory)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(directory);
        builder.Services.AddGrainStorage(Name, (services, _) => new FileGrainStorage(directory(services), Serializer(services)));
        return builder;
    }
}
