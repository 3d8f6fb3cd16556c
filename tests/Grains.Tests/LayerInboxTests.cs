using Pcn.GpuKernels.Backends;
using Pcn.GpuKernels.Backends.Cpu;
using Pcn.Grains.Exchange;

namespace Pcn.Grains.Tests;

/// <summary>
/// The inbox a layer's step loop reads: messages keyed by batch and step, one step of slack per neighbour, and every
/// message that cannot belong to a correct run refused loudly, naming what was expected and what came.
/// </summary>
public sealed class LayerInboxTests : IDisposable
{
    private readonly CpuBackend _backend = new();
    private readonly Tensor _a;
    private readonly Tensor _b;

    public LayerInboxTests()
    {
        _a = _backend.Allocate(2, 3);
        _b = _backend.Allocate(2, 3);
    }

    [Fact]
    public async Task MessageAlreadyThere_IsTakenAtOnce_AndTheNextStepWaitsForItsOwn()
    {
        var inbox = new LayerInbox("layer 2 of run r");
        Assert.True(inbox.Deposit(Sender.Below, new NeighbourMessage(4, 0, _a, null)));
        Assert.True(inbox.Deposit(Sender.Below, new NeighbourMessage(4, 1, _b, null)));

        NeighbourMessage step0 = await inbox.ReceiveAsync(Sender.Below, 4, 0);
        ValueTask<NeighbourMessage> step1 = inbox.ReceiveAsync(Sender.Below, 4, 1);
        Assert.True(step1.IsCompleted);
        Assert.Same(_a, step0.Tensor);
        Assert.Same(_b, (await step1).Tensor);

        ValueTask<NeighbourMessage> step2 = inbox.ReceiveAsync(Sender.Below, 4, 2);
        Assert.False(step2.IsCompleted);
        Assert.True(inbox.Deposit(Sender.Above, new NeighbourMessage(4, 2, _b, _a)));
        Assert.False(step2.IsCompleted);
        Assert.True(inbox.Deposit(Sender.Below, new NeighbourMessage(4, 2, _a, null)));
        Assert.Same(_a, (await step2.AsTask().WaitAsync(TimeSpan.FromSeconds(10))).Tensor);

        NeighbourMessage above = await inbox.ReceiveAsync(Sender.Above, 4, 2);
        Assert.Same(_b, above.Tensor);
        Assert.Same(_a, above.Error);
    }

    [Fact]
    public async Task MessagesOfAnEarlierBuilding_AreDropped_AfterAReset()
    {
        // The scene of a resume: the old pass of batch 161 had sent steps 0 and 1 when the layers were built again;
        // those messages arrive after the reset and must not stand in for the new pass's.
        var inbox = new LayerInbox("layer 4 of run cut");
        Assert.True(inbox.Deposit(Sender.Below, new NeighbourMessage(161, 0, _a, null, Generation: 7)));
        inbox.Reset(generation: 9);
        Assert.True(inbox.Deposit(Sender.Below, new NeighbourMessage(161, 1, _a, null, Generation: 7)));
        Assert.False(inbox.IsCurrent(7));

        ValueTask<NeighbourMessage> step0 = inbox.ReceiveAsync(Sender.Below, 161, 0);
        Assert.False(step0.IsCompleted);
        Assert.True(inbox.Deposit(Sender.Below, new NeighbourMessage(161, 0, _b, null, Generation: 9)));
        Assert.Same(_b, (await step0.AsTask().WaitAsync(TimeSpan.FromSeconds(10))).Tensor);

        // Unversioned messages (a coordinator that has not built the layers itself) are taken by any building.
        Assert.True(inbox.Deposit(Sender.Below, new NeighbourMessage(161, 1, _a, null)));
        Assert.Same(_a, (await inbox.ReceiveAsync(Sender.Below, 161, 1)).Tensor);
    }

    [Fact]
    public async Task MessageForAnotherBatch_FailsTheWait_NamingBoth()
    {
        var inbox = new LayerInbox("layer 2 of run r");
        ValueTask<NeighbourMessage> waiting = inbox.ReceiveAsync(Sender.Below, 4, 3);

        inbox.Deposit(Sender.Below, new NeighbourMessage(999, 1, _a, null));

        var error = await Assert.ThrowsAsync<NeighbourProtocolException>(async () => await waiting);
        Assert.Contains("layer 2 of run r expected the activity from below for batch 4 step 3 but received batch 999 step 1", error.Message);
        var later = await Assert.ThrowsAsync<NeighbourProtocolException>(async () => await inbox.ReceiveAsync(Sender.Above, 4, 3));
        Assert.Equal(error.Message, later.Message);
    }

    [Fact]
    public async Task StaleMessageInItsSlot_IsRefusedWhenTheLoopAsksForAnotherStep()
    {
        var inbox = new LayerInbox("layer 5 of run r");
        inbox.Deposit(Sender.Above, new NeighbourMessage(7, 4, _a, null));

        var error = await Assert.ThrowsAsync<NeighbourProtocolException>(async () => await inbox.ReceiveAsync(Sender.Above, 7, 2));

        Assert.Contains("expected the feedback from above for batch 7 step 2 but received batch 7 step 4", error.Message);
    }

    [Fact]
    public async Task NeighbourTwoStepsAhead_IsAnOverrun()
    {
        var inbox = new LayerInbox("layer 3 of run r");
        inbox.Deposit(Sender.Below, new NeighbourMessage(1, 2, _a, null));
        inbox.Deposit(Sender.Below, new NeighbourMessage(1, 4, _b, null));

        var error = await Assert.ThrowsAsync<NeighbourProtocolException>(async () => await inbox.ReceiveAsync(Sender.Below, 1, 2));

        Assert.Contains("received the activity from below for batch 1 step 4 while the activity from below for batch 1 step 2 was still unread", error.Message);
    }

    [Fact]
    public async Task Abort_StopsTheWaitingLoop_AndClearFaultLetsTheNextPassRun()
    {
        var inbox = new LayerInbox("layer 3 of run r");
        ValueTask<NeighbourMessage> waiting = inbox.ReceiveAsync(Sender.Above, 2, 0);

        inbox.Abort("run r ended Failed");

        var error = await Assert.ThrowsAsync<NeighbourProtocolException>(async () => await waiting);
        Assert.Equal("layer 3 of run r stopped: run r ended Failed", error.Message);
        inbox.ClearFault();
        inbox.Deposit(Sender.Below, new NeighbourMessage(-1, 0, _a, null));
        Assert.Same(_a, (await inbox.ReceiveAsync(Sender.Below, -1, 0)).Tensor);
    }

    [Fact]
    public async Task ClosedInbox_RefusesDeposits_SoTheSenderGoesThroughOrleans()
    {
        var exchange = new NeighbourExchange();
        var inbox = new LayerInbox("layer 1 of run r");
        exchange.Register("r/1/3", inbox);
        Assert.Same(inbox, exchange.Find("r/1/3"));
        ValueTask<NeighbourMessage> waiting = inbox.ReceiveAsync(Sender.Above, 1, 0);

        exchange.Unregister("r/1/3", inbox);

        Assert.Null(exchange.Find("r/1/3"));
        Assert.False(inbox.IsOpen);
        Assert.False(inbox.Deposit(Sender.Above, new NeighbourMessage(1, 0, _a, null)));
        await Assert.ThrowsAsync<NeighbourProtocolException>(async () => await waiting);
    }

    [Fact]
    public async Task DepositsFromAnotherThread_WakeTheLoop_InStepOrder()
    {
        var inbox = new LayerInbox("layer 2 of run r");
        const int Steps = 2000;
        Task sender = Task.Run(() =>
        {
            for (int t = 0; t < Steps; t++)
            {
                // A neighbour may run one step ahead: wait until the slot of step t − 2 has been read.
                SpinWait.SpinUntil(() => inbox.IsFree(Sender.Below, t));
                inbox.Deposit(Sender.Below, new NeighbourMessage(1, t, (t & 1) == 0 ? _a : _b, null));
            }
        });

        for (int t = 0; t < Steps; t++)
        {
            NeighbourMessage message = await inbox.ReceiveAsync(Sender.Below, 1, t);
            Assert.Equal(t, message.Step);
            Assert.Same((t & 1) == 0 ? _a : _b, message.Tensor);
        }

        await sender.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
        _backend.Dispose();
    }
}
