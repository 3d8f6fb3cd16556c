using Pcn.Abstractions.Options;
using Pcn.Data;
using Pcn.Network.Training;
using Pcn.Tests.Shared;

namespace Pcn.Network.Tests.Training;

/// <summary>What the schedule checks in the data it is given, before any batch runs.</summary>
public sealed class TrainingScheduleTests : IDisposable
{
    private readonly IdxTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void TrainingSchedule_NamesTheLabelOutOfRange_NotAnOptionUsersLack()
    {
        _files.WriteDataset(IdxTestFiles.Bytes(4 * 2 * 2, seed: 1), [4, 2, 2], [0, 9, 200, 3], [4], IdxTestFiles.Bytes(2 * 2 * 2, seed: 2), [2, 2, 2], [1, 2], [2]);
        Dataset data = Dataset.Load(_files.Directory, Normalisation.FashionMnist);

        var error = Assert.Throws<InvalidOptionException>(() => TrainingSchedule.Create(new NetworkOptions(2, 4, InputDim: 4), new TrainingOptions(BatchSize: 2), data));

        Assert.DoesNotContain("--output-dim", error.Message);
        Assert.Contains("label 200 at index 2 of the training labels", error.Message);
    }
}
