using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Serialization.Cloning;
using Pcn.Abstractions.Messages;
using Pcn.Abstractions.Options;

namespace Pcn.Abstractions.Tests;

/// <summary>
/// Every message type round-trips through Orleans' serializer (a type without [GenerateSerializer] would compile and
/// fail only at run time), and tensors travel as raw bytes.
/// </summary>
public sealed class MessageSerializationTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddSerializer().BuildServiceProvider();

    public static TheoryData<object> Messages()
    {
        var payload = new TensorPayload(2, 3, [1.5f, -2f, float.Epsilon, float.MaxValue, -0f, 3.25f]);
        var network = new NetworkOptions(8, 128, Activation: Activation.Tanh, Parameterisation: Parameterisation.Sp, Loss: LossKind.CrossEntropy, Skips: false, Seed: 42);
        var training = new TrainingOptions(Algorithm.Bp, 0.01, 0.2, 5, 32, 2, 50, 100, 7, 0.8, 0.99, 1e-7);
        var request = new RunRequest("run-1", network, training, DataSource.FashionMnist() with { LimitTrain = 100 });
        return new TheoryData<object>
        {
            payload,
            network,
            training,
            new LayerSetup("run-1", network, 3),
            new ActivityMessage(4, 2, payload),
            new FeedbackMessage(4, 2, payload, payload),
            new FeedbackMessage(4, 2, payload, null),
            new WeightUpdate(4, -1.0 / 64, 0.1, 0.9, 0.999, 1e-8),
            new BatchCommand(5, Algorithm.Pc, 8, 0.0078125, new WeightUpdate(4, -1.0 / 64, 0.1, 0.9, 0.999, 1e-8), payload),
            new BatchCommand(5, Algorithm.Bp, 0, 0, null, null),
            new EvaluationCommand(-3, 156),
            new LayerReport(7, 5, [0.5, double.NaN, 0.25], 17, 2, null),
            new LayerReport(7, 5, [], 0, 0, "layer 7 expected batch 5 step 2"),
            new TestPrediction(-3, 12, payload, null),
            new TestPrediction(-3, -1, null, "layer 2 failed"),
            new RunTimings(0.5, 6.25, 0.75),
            new ProtocolCounts(10, 90, 90, 1440, 40, 10),
            DataSource.Mnist("/data/mnist"),
            request,
            new BatchSummary(0, 4, 0.25, [0.1, 0.2], 81.5, 1.5),
            new RunSnapshot(request, RunState.Diverged, 4, 10, [new BatchSummary(0, 4, 0.25, [], null, 1.5)], "layer 3", 2.5, new RunTimings(0.5, 2, 0.5), new ProtocolCounts(4, 36, 36, 100, 0, 4), [new RunEvent(DateTimeOffset.UnixEpoch, 3, "failure", "layer 2 lost")], 2, "127.0.0.1:11111"),
            RunState.Cancelled,
        };
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void Message_RoundTripsThroughTheSerializer(object message)
    {
        Serializer serializer = _services.GetRequiredService<Serializer>();
        byte[] bytes = serializer.SerializeToArray(message);
        object copy = serializer.Deserialize<object>(bytes) ?? throw new InvalidOperationException("null");

        Assert.Equal(message.GetType(), copy.GetType());
        Assert.Equal(Describe(message), Describe(copy));
    }

    [Fact]
    public void TensorPayload_TravelsAsRawBytes_AndIsNotCopiedInsideASilo()
    {
        var random = new Random(1);
        float[] values = Enumerable.Range(0, 64 * 512).Select(_ => (float)random.NextDouble()).ToArray();
        var payload = new TensorPayload(64, 512, values);
        Serializer serializer = _services.GetRequiredService<Serializer>();

        byte[] raw = serializer.SerializeToArray(payload);
        byte[] elementwise = serializer.SerializeToArray((float[])values.Clone());
        TensorPayload back = serializer.Deserialize<TensorPayload>(raw) ?? throw new InvalidOperationException("null");

        Assert.Equal(values, back.Values.ToArray());
        Assert.InRange(raw.Length, values.Length * sizeof(float), (values.Length * sizeof(float)) + 64);
        Assert.True(elementwise.Length > raw.Length, $"float[] took {elementwise.Length} bytes, the payload {raw.Length}");
        Assert.Same(payload, _services.GetRequiredService<DeepCopier>().Copy(payload));
    }

    [Fact]
    public void TensorPayload_RefusesValuesThatDoNotFitItsShape()
    {
        var error = Assert.Throws<ArgumentException>(() => new TensorPayload(2, 3, new float[5]));
        Assert.Contains("2×3", error.Message);
    }

    public void Dispose() => _services.Dispose();

    private static string Describe(object value) => value switch
    {
        TensorPayload p => $"{p.Shape}:{string.Join(",", p.Values.ToArray().Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}",
        ActivityMessage m => $"{m.Batch}/{m.Step}/{Describe(m.Activity)}",
        FeedbackMessage m => $"{m.Batch}/{m.Step}/{Describe(m.Feedback)}/{(m.Error is null ? "-" : Describe(m.Error))}",
        BatchSummary s => $"{s.Epoch}/{s.Batch}/{s.TrainLoss}/{string.Join(",", s.LayerEnergies)}/{s.TestAccuracy}/{s.ElapsedSeconds}",
        RunSnapshot s => $"{s.Request}/{s.State}/{s.Batches}/{s.TotalBatches}/{string.Join(";", s.Summaries.Select(Describe))}/{s.Failure}/{s.ElapsedSeconds}/{s.Timings}/{s.Protocol}",
        BatchCommand c => $"{c.Batch}/{c.Algorithm}/{c.Steps}/{c.StepSize}/{c.Commit}/{(c.Clamp is null ? "-" : Describe(c.Clamp))}",
        LayerReport r => $"{r.Layer}/{r.Batch}/{string.Join(",", r.StepEnergies)}/{r.LocalMessages}/{r.RemoteMessages}/{r.Failure}",
        TestPrediction p => $"{p.Pass}/{p.Index}/{(p.Logits is null ? "-" : Describe(p.Logits))}/{p.Failure}",
        _ => value.ToString()!,
    };
}
