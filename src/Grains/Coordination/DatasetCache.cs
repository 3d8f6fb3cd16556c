using System.Collections.Concurrent;
using Pcn.Abstractions.Messages;
using Pcn.Data;

namespace Pcn.Grains.Coordination;

/// <summary>Data sets loaded on this silo, shared by every run that names the same files and normalisation.</summary>
public sealed class DatasetCache
{
    private readonly ConcurrentDictionary<DataSource, Lazy<Dataset>> _sets = new();

    /// <summary>The data set for <paramref name="source"/>, loaded on first use (errors name the file and the fault).</summary>
    public Dataset Get(DataSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        Lazy<Dataset> lazy = _sets.GetOrAdd(source, s => new Lazy<Dataset>(() => Dataset.Load(s.Directory, new Normalisation(s.Mean, s.Std), s.LimitTrain, s.LimitTest)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            // A failed load (missing package, bad file) must not stick: the user may install the data and retry.
            _sets.TryRemove(source, out _);
            throw;
        }
    }
}
