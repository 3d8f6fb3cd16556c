using System.Globalization;
using System.Runtime.ExceptionServices;
using Pcn.Abstractions.Options;

namespace Pcn.Data;

/// <summary>
/// A training and a test set read from a directory in the MNIST file layout (MNIST, Fashion-MNIST), normalised
/// (spec §6). Both sets share one class count, so their one-hot targets have the same width.
/// </summary>
public sealed class Dataset
{
    /// <summary>Where the Debian package <c>dataset-fashion-mnist</c> installs Fashion-MNIST.</summary>
    public const string DefaultFashionMnistDirectory = Abstractions.Messages.DataSource.FashionMnistDirectory;

    /// <summary>Appended to "not found" messages about <see cref="DefaultFashionMnistDirectory"/>.</summary>
    public const string InstallHint = "install Fashion-MNIST with: apt-get install dataset-fashion-mnist";

    /// <summary>Base name of the training images; <c>.gz</c> is preferred when both forms exist.</summary>
    public const string TrainImagesName = "train-images-idx3-ubyte";

    /// <summary>Base name of the training labels.</summary>
    public const string TrainLabelsName = "train-labels-idx1-ubyte";

    /// <summary>Base name of the test images.</summary>
    public const string TestImagesName = "t10k-images-idx3-ubyte";

    /// <summary>Base name of the test labels.</summary>
    public const string TestLabelsName = "t10k-labels-idx1-ubyte";

    private Dataset(string directory, Normalisation normalisation, LabelledSet train, LabelledSet test, int rows, int columns)
    {
        Directory = directory;
        Normalisation = normalisation;
        Train = train;
        Test = test;
        ImageRows = rows;
        ImageColumns = columns;
    }

    /// <summary>The directory the files came from.</summary>
    public string Directory { get; }

    /// <summary>The normalisation applied to every pixel.</summary>
    public Normalisation Normalisation { get; }

    /// <summary>The training set (the first <c>limitTrain</c> samples when a limit was given).</summary>
    public LabelledSet Train { get; }

    /// <summary>The test set (the first <c>limitTest</c> samples when a limit was given).</summary>
    public LabelledSet Test { get; }

    /// <summary>Image height in pixels (28).</summary>
    public int ImageRows { get; }

    /// <summary>Image width in pixels (28).</summary>
    public int ImageColumns { get; }

    /// <summary>
    /// Loads <c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c> and
    /// <c>t10k-labels-idx1-ubyte</c> from <paramref name="directory"/>, each as <c>name.gz</c> or, when that is absent,
    /// <c>name</c>. Images are flattened row-major (rows × columns features) and normalised.
    /// </summary>
    /// <param name="directory">The directory holding the four files.</param>
    /// <param name="normalisation">E.g. <see cref="Normalisation.FashionMnist"/>.</param>
    /// <param name="limitTrain">Keep only the first this many training samples (≥ 1; more than there are keeps all).</param>
    /// <param name="limitTest">Keep only the first this many test samples (≥ 1; more than there are keeps all).</param>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">A file is missing in both forms.</exception>
    /// <exception cref="IdxFormatException">A file is malformed, images are not 3-D or labels not 1-D, image and
    /// label counts disagree, or training and test images differ in size.</exception>
    /// <exception cref="InvalidOptionException">A limit is below 1.</exception>
    public static Dataset Load(string directory, Normalisation normalisation, int? limitTrain = null, int? limitTest = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(normalisation);
        RequireLimit("limitTrain", limitTrain);
        RequireLimit("limitTest", limitTest);
        (string trainImagesPath, string trainLabelsPath, string testImagesPath, string testLabelsPath) = RequireFiles(directory);

        // The training images dominate (47 MB decompressed); reading the test files alongside uses a second core.
        Task<(IdxFile Images, IdxFile Labels)> trainFiles = Task.Run(() => (IdxFile.Read(trainImagesPath), IdxFile.Read(trainLabelsPath)));
        Task<(IdxFile Images, IdxFile Labels)> testFiles = Task.Run(() => (IdxFile.Read(testImagesPath), IdxFile.Read(testLabelsPath)));
        try
        {
            Task.WaitAll(trainFiles, testFiles);
        }
        catch (AggregateException ex)
        {
            // Both tasks have finished and their errors are observed; report the first (training before test) as is.
            ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
        }

        (IdxFile trainImages, IdxFile trainLabels) = trainFiles.Result;
        (IdxFile testImages, IdxFile testLabels) = testFiles.Result;

        RequirePair(trainImages, trainLabels);
        RequirePair(testImages, testLabels);
        int rows = trainImages.Dimensions[1];
        int columns = trainImages.Dimensions[2];
        if (testImages.Dimensions[1] != rows || testImages.Dimensions[2] != columns)
        {
            throw new IdxFormatException(
                testImagesPath,
                $"test images are {testImages.Dimensions[1]}×{testImages.Dimensions[2]} but the training images ({trainImagesPath}) are {rows}×{columns}");
        }

        int trainCount = Math.Min(trainImages.Dimensions[0], limitTrain ?? int.MaxValue);
        int testCount = Math.Min(testImages.Dimensions[0], limitTest ?? int.MaxValue);
        ReadOnlySpan<byte> trainLabelBytes = trainLabels.Data.AsSpan(0, trainCount);
        ReadOnlySpan<byte> testLabelBytes = testLabels.Data.AsSpan(0, testCount);
        int classes = Math.Max(LabelledSet.DefaultClasses, Math.Max(LabelledSet.MaxLabel(trainLabelBytes), LabelledSet.MaxLabel(testLabelBytes)) + 1);
        int features = rows * columns;
        LabelledSet train = ToSet(trainImages, trainLabelBytes, features, classes, normalisation);
        LabelledSet test = ToSet(testImages, testLabelBytes, features, classes, normalisation);
        return new Dataset(directory, normalisation, train, test, rows, columns);
    }

    /// <summary>
    /// The paths of the four files in <paramref name="directory"/> (each <c>name.gz</c>, or <c>name</c> when that is
    /// absent), without reading them: a cheap check a client makes before it starts any work.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">A file is missing in both forms.</exception>
    public static (string TrainImages, string TrainLabels, string TestImages, string TestLabels) RequireFiles(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!System.IO.Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Dataset directory not found: {directory}{Hint(directory)}");
        }

        return (Resolve(directory, TrainImagesName), Resolve(directory, TrainLabelsName), Resolve(directory, TestImagesName), Resolve(directory, TestLabelsName));
    }

    /// <summary>
    /// What a client can check in a fraction of a second before it starts a silo: the four files exist and open for
    /// reading, their headers are IDX headers that agree (images 3-D with as many samples as labels), and every label a
    /// run will use (the first <paramref name="limitTrain"/> or <paramref name="limitTest"/>) is below
    /// <paramref name="classes"/>. Only the label files are read whole (tens of kilobytes); of the images, the header.
    /// </summary>
    /// <returns>The training and test samples a run will use (after the limits) and the features per sample.</returns>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="FileNotFoundException">A file is missing in both forms.</exception>
    /// <exception cref="UnauthorizedAccessException">A file cannot be read (named).</exception>
    /// <exception cref="IdxFormatException">A header is malformed, the files disagree, or a label is out of range (file and index named).</exception>
    public static (int Train, int Test, int Features) Inspect(string directory, int classes, int? limitTrain = null, int? limitTest = null)
    {
        (string trainImages, string trainLabels, string testImages, string testLabels) = RequireFiles(directory);
        (int train, int features) = InspectPair(trainImages, trainLabels, classes, limitTrain);
        (int test, int testFeatures) = InspectPair(testImages, testLabels, classes, limitTest);
        if (testFeatures != features)
        {
            throw new IdxFormatException(testImages, $"test images have {testFeatures} pixels but the training images ({trainImages}) have {features}");
        }

        return (train, test, features);
    }

    /// <summary>Whether <paramref name="directory"/> is <see cref="DefaultFashionMnistDirectory"/> (ignoring a trailing separator).</summary>
    internal static bool IsDefaultDirectory(string? directory)
    {
        if (string.IsNullOrEmpty(directory))
        {
            return false;
        }

        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        return string.Equals(full, DefaultFashionMnistDirectory, StringComparison.Ordinal);
    }

    private static string Hint(string directory) => IsDefaultDirectory(directory) ? $"; {InstallHint}" : string.Empty;

    private static void RequireLimit(string name, int? limit)
    {
        if (limit is < 1)
        {
            throw new InvalidOptionException(name, limit.Value.ToString(CultureInfo.InvariantCulture), "must be ≥ 1 (or absent for the whole set)");
        }
    }

    private static string Resolve(string directory, string name)
    {
        string gz = Path.Combine(directory, name + ".gz");
        if (File.Exists(gz))
        {
            return gz;
        }

        string raw = Path.Combine(directory, name);
        if (File.Exists(raw))
        {
            return raw;
        }

        throw new FileNotFoundException($"Neither {gz} nor {raw} exists{Hint(directory)}", gz);
    }

    private static void RequirePair(IdxFile images, IdxFile labels)
    {
        if (images.Dimensions.Length != 3)
        {
            throw new IdxFormatException(
                images.Path,
                $"images must be 3-D (count×rows×columns, magic 0x00000803) but the file is {images.Dimensions.Length}-D ({images.Shape})");
        }

        if (labels.Dimensions.Length != 1)
        {
            throw new IdxFormatException(
                labels.Path,
                $"labels must be 1-D (count, magic 0x00000801) but the file is {labels.Dimensions.Length}-D ({labels.Shape})");
        }

        if (images.Dimensions[0] != labels.Dimensions[0])
        {
            throw new IdxFormatException(
                images.Path,
                $"{images.Dimensions[0]} images but {labels.Path} has {labels.Dimensions[0]} labels; the counts must agree");
        }
    }

    private static (int Count, int Features) InspectPair(string imagesPath, string labelsPath, int classes, int? limit)
    {
        int[] images = IdxFile.ReadDimensions(imagesPath);
        IdxFile labels = IdxFile.Read(labelsPath);
        if (images.Length != 3)
        {
            throw new IdxFormatException(imagesPath, $"images must be 3-D (count×rows×columns, magic 0x00000803) but the file is {images.Length}-D ({IdxFile.FormatShape(images)})");
        }

        if (labels.Dimensions.Length != 1)
        {
            throw new IdxFormatException(labelsPath, $"labels must be 1-D (count, magic 0x00000801) but the file is {labels.Dimensions.Length}-D ({labels.Shape})");
        }

        if (images[0] != labels.Dimensions[0])
        {
            throw new IdxFormatException(imagesPath, $"{images[0]} images but {labelsPath} has {labels.Dimensions[0]} labels; the counts must agree");
        }

        int count = Math.Min(images[0], limit ?? int.MaxValue);
        for (int i = 0; i < count; i++)
        {
            if (labels.Data[i] >= classes)
            {
                throw new IdxFormatException(labelsPath, $"label {labels.Data[i]} at index {i} is out of range: the network has {classes} classes, so labels must be 0..{classes - 1}");
            }
        }

        return (count, (int)Math.Min((long)images[1] * images[2], int.MaxValue));
    }

    private static LabelledSet ToSet(IdxFile images, ReadOnlySpan<byte> labels, int features, int classes, Normalisation normalisation)
    {
        float[] values = GC.AllocateUninitializedArray<float>(labels.Length * features);
        normalisation.Apply(images.Data.AsSpan(0, values.Length), values);
        return new LabelledSet(values, labels.ToArray(), features, classes);
    }
}
