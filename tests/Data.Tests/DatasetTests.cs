using Pcn.Abstractions.Options;
using Pcn.Data;
using Pcn.Tests.Shared;

namespace Pcn.Data.Tests;

public sealed class DatasetTests : IDisposable
{
    private readonly IdxTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Load_ReadsAndNormalisesTinySet_FromGzippedAndRawFiles()
    {
        byte[] trainImages = IdxTestFiles.Bytes(5 * 3 * 2, seed: 10);
        byte[] trainLabels = [0, 9, 3, 3, 7];
        byte[] testImages = IdxTestFiles.Bytes(2 * 3 * 2, seed: 11);
        byte[] testLabels = [1, 2];
        _files.WriteDataset(trainImages, [5, 3, 2], trainLabels, [5], testImages, [2, 3, 2], testLabels, [2]);

        Dataset data = Dataset.Load(_files.Directory, Normalisation.FashionMnist);

        Assert.Equal(3, data.ImageRows);
        Assert.Equal(2, data.ImageColumns);
        Assert.Equal(5, data.Train.Count);
        Assert.Equal(2, data.Test.Count);
        Assert.Equal(6, data.Train.Features);
        Assert.Equal(10, data.Train.Classes);
        Assert.Equal(10, data.Test.Classes);
        Assert.Equal(trainLabels, data.Train.Labels);
        Assert.Equal(testLabels, data.Test.Labels);
        Assert.Equal(trainImages.Select(p => ((p / 255f) - 0.5f) / 0.5f), data.Train.Images);
        Assert.Equal(testImages.Select(p => ((p / 255f) - 0.5f) / 0.5f), data.Test.Images);
    }

    [Fact]
    public void Inspect_NamesTheFileAndIndex_OfALabelOutOfRange()
    {
        _files.WriteDataset(IdxTestFiles.Bytes(4 * 2 * 2, seed: 1), [4, 2, 2], [0, 9, 200, 3], [4], IdxTestFiles.Bytes(2 * 2 * 2, seed: 2), [2, 2, 2], [1, 2], [2]);

        var error = Assert.Throws<IdxFormatException>(() => Dataset.Inspect(_files.Directory, classes: 10));

        Assert.Contains("train-labels-idx1-ubyte", error.FilePath);
        Assert.Contains("label 200 at index 2", error.Message);
        Assert.Contains("10 classes", error.Message);
        Assert.Equal((2, 2, 4), Dataset.Inspect(_files.Directory, classes: 10, limitTrain: 2));
    }

    [Fact]
    public void Load_PrefersGzippedFile_WhenBothFormsExist()
    {
        _files.WriteDataset([255, 255], [2, 1, 1], [1, 2], [2], [0], [1, 1, 1], [3], [1], gzipTest: true);
        _files.Write("train-labels-idx1-ubyte", IdxTestFiles.Idx([2], [8, 8]));

        Dataset data = Dataset.Load(_files.Directory, Normalisation.FashionMnist);

        Assert.Equal([1, 2], data.Train.Labels);
    }

    [Fact]
    public void Load_KeepsFirstSamples_WhenLimited()
    {
        byte[] trainImages = IdxTestFiles.Bytes(6 * 4, seed: 12);
        _files.WriteDataset(trainImages, [6, 2, 2], [0, 1, 2, 3, 4, 5], [6], [10, 20, 30, 40], [1, 2, 2], [9], [1]);

        Dataset data = Dataset.Load(_files.Directory, Normalisation.Mnist, limitTrain: 4, limitTest: 100);

        Assert.Equal(4, data.Train.Count);
        Assert.Equal([0, 1, 2, 3], data.Train.Labels);
        Assert.Equal(trainImages.Take(16).Select(p => ((p / 255f) - 0.1307f) / 0.3081f), data.Train.Images);
        Assert.Equal(1, data.Test.Count);
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(null, -1)]
    public void Load_RejectsLimitBelowOne(int? limitTrain, int? limitTest)
    {
        Assert.Throws<InvalidOptionException>(() => Dataset.Load(_files.Directory, Normalisation.FashionMnist, limitTrain, limitTest));
    }

    [Fact]
    public void Load_WidensClasses_WhenALabelExceedsNine()
    {
        _files.WriteDataset([1, 2], [2, 1, 1], [0, 4], [2], [3], [1, 1, 1], [12], [1]);

        Dataset data = Dataset.Load(_files.Directory, Normalisation.FashionMnist);

        Assert.Equal(13, data.Train.Classes);
        Assert.Equal(13, data.Test.Classes);
    }

    [Fact]
    public void Load_Throws_WhenImageAndLabelCountsDisagree()
    {
        _files.WriteDataset(new byte[12], [3, 2, 2], [1, 2], [2], new byte[4], [1, 2, 2], [0], [1]);

        var ex = Assert.Throws<IdxFormatException>(() => Dataset.Load(_files.Directory, Normalisation.FashionMnist));

        Assert.Contains("train-images-idx3-ubyte.gz", ex.Message, StringComparison.Ordinal);
        Assert.Contains("train-labels-idx1-ubyte.gz", ex.Message, StringComparison.Ordinal);
        Assert.Contains("3 images but", ex.Message, StringComparison.Ordinal);
        Assert.Contains("has 2 labels", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Throws_ForTwoDimensionalLabels()
    {
        _files.WriteDataset(new byte[4], [1, 2, 2], [1], [1], new byte[4], [1, 2, 2], [0, 0], [1, 2]);

        var ex = Assert.Throws<IdxFormatException>(() => Dataset.Load(_files.Directory, Normalisation.FashionMnist));

        Assert.Contains("t10k-labels-idx1-ubyte", ex.Message, StringComparison.Ordinal);
        Assert.Contains("labels must be 1-D", ex.Message, StringComparison.Ordinal);
        Assert.Contains("2-D (1×2)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Throws_ForOneDimensionalImages()
    {
        _files.WriteDataset(new byte[4], [4], [1, 2, 3, 4], [4], new byte[4], [1, 2, 2], [0], [1]);

        var ex = Assert.Throws<IdxFormatException>(() => Dataset.Load(_files.Directory, Normalisation.FashionMnist));

        Assert.Contains("train-images-idx3-ubyte.gz", ex.Message, StringComparison.Ordinal);
        Assert.Contains("images must be 3-D", ex.Message, StringComparison.Ordinal);
        Assert.Contains("1-D (4)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Throws_WhenTrainAndTestImageSizesDiffer()
    {
        _files.WriteDataset(new byte[4], [1, 2, 2], [1], [1], new byte[6], [1, 3, 2], [0], [1]);

        var ex = Assert.Throws<IdxFormatException>(() => Dataset.Load(_files.Directory, Normalisation.FashionMnist));

        Assert.Contains("t10k-images-idx3-ubyte", ex.Message, StringComparison.Ordinal);
        Assert.Contains("train-images-idx3-ubyte.gz", ex.Message, StringComparison.Ordinal);
        Assert.Contains("test images are 3×2 but the training images", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ReportsMalformedFile_ByItsPath()
    {
        _files.WriteDataset(new byte[4], [1, 2, 2], [1], [1], new byte[4], [1, 2, 2], [0], [1]);
        string broken = _files.Write("t10k-images-idx3-ubyte", IdxTestFiles.Idx([1, 2, 2], [1, 2]));

        var ex = Assert.Throws<IdxFormatException>(() => Dataset.Load(_files.Directory, Normalisation.FashionMnist));

        Assert.Equal(broken, ex.FilePath);
        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ThrowsFileNotFound_NamingBothForms_WhenAFileIsMissing()
    {
        _files.WriteDataset(new byte[4], [1, 2, 2], [1], [1], new byte[4], [1, 2, 2], [0], [1]);
        File.Delete(Path.Combine(_files.Directory, "t10k-labels-idx1-ubyte"));

        var ex = Assert.Throws<FileNotFoundException>(() => Dataset.Load(_files.Directory, Normalisation.FashionMnist));

        Assert.Contains(Path.Combine(_files.Directory, "t10k-labels-idx1-ubyte.gz"), ex.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_files.Directory, "t10k-labels-idx1-ubyte") + " exists", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("apt-get", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ThrowsDirectoryNotFound_NamingThePath()
    {
        string missing = Path.Combine(_files.Directory, "nowhere");

        var ex = Assert.Throws<DirectoryNotFoundException>(() => Dataset.Load(missing, Normalisation.FashionMnist));

        Assert.Contains(missing, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/usr/share/datasets/fashion-mnist", true)]
    [InlineData("/usr/share/datasets/fashion-mnist/", true)]
    [InlineData("/usr/share/datasets/../datasets/fashion-mnist", true)]
    [InlineData("/usr/share/datasets/mnist", false)]
    [InlineData("", false)]
    public void IsDefaultDirectory_RecognisesTheInstalledLocation(string directory, bool expected)
    {
        Assert.Equal(expected, Dataset.IsDefaultDirectory(directory));
    }
}
