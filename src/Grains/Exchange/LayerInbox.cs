using System.Threading.Tasks.Sources;

namespace Pcn.Grains.Exchange;

/// <summary>
/// Where a layer's neighbour messages wait for its step loop: per neighbour, two slots chosen by the step's parity,
/// because a neighbour can be at most one step ahead (it needs this layer's answer to step t before it can send step
/// t + 2). Senders deposit from any thread; only the owning grain's step loop takes messages, on its own scheduler, and
/// waits for one message at a time.
/// <para>
/// A message for a batch or step other than the one the loop asks for, or one that finds its slot still full, is a
/// protocol fault: the inbox keeps the first fault and every wait fails with it, loudly, naming both messages.
/// </para>
/// </summary>
internal sealed class LayerInbox : IValueTaskSource<NeighbourMessage>
{
    private readonly Lock _gate = new();
    private readonly string _owner;
    private readonly Slot[] _slots = new Slot[4];
    private ManualResetValueTaskSourceCore<NeighbourMessage> _waiter = new() { RunContinuationsAsynchronously = true };
    private Awaited? _awaited;
    private string? _fault;
    private bool _closed;
    private int _generation;

    /// <summary>Creates the inbox of <paramref name="owner"/> ("layer 3 of run r"), for messages.</summary>
    public LayerInbox(string owner) => _owner = owner;

    /// <summary>False once the owning activation has gone.</summary>
    public bool IsOpen
    {
        get
        {
            lock (_gate)
            {
                return !_closed;
            }
        }
    }

    /// <summary>Whether the slot a message for <paramref name="step"/> from <paramref name="sender"/> would take is free.</summary>
    public bool IsFree(Sender sender, int step)
    {
        lock (_gate)
        {
            return !_slots[Index(sender, step)].Full;
        }
    }

    /// <summary>
    /// Leaves <paramref name="message"/> for the loop (waking it if it waits for exactly this message). Returns false
    /// only when the inbox is closed: the sender must then reach the layer through Orleans.
    /// </summary>
    public bool Deposit(Sender sender, NeighbourMessage message)
    {
        bool deliver = false;
        string? fault = null;
        lock (_gate)
        {
            if (_closed)
            {
                return false;
            }

            if (_fault is not null)
            {
                return true;
            }

            if (!IsCurrentLocked(message.Generation))
            {
                // Sent before the layers were built again (a resume): its pass is gone, and so is the message.
                return true;
            }

            ref Slot slot = ref _slots[Index(sender, message.Step)];
            if (slot.Full)
            {
                fault = $"{_owner} received {Describe(sender, message.Batch, message.Step)} while {Describe(sender, slot.Message.Batch, slot.Message.Step)} was still unread (a neighbour ran more than one step ahead)";
            }
            else if (_awaited is { } awaited && awaited.Sender == sender && (awaited.Step & 1) == (message.Step & 1))
            {
                if (awaited.Batch != message.Batch || awaited.Step != message.Step)
                {
                    fault = Mismatch(awaited, message);
                }
                else
                {
                    _awaited = null;
                    deliver = true;
                }
            }
            else
            {
                slot = new Slot(true, message);
            }

            fault = fault is null ? null : Fail(fault);
        }

        if (deliver)
        {
            _waiter.SetResult(message);
        }

        WakeWithFault(fault);
        return true;
    }

    /// <summary>Records a message from another silo that cannot be stored because its slot is still full (a protocol fault).</summary>
    public void Overrun(Sender sender, int batch, int step)
    {
        string? fault;
        lock (_gate)
        {
            Slot slot = _slots[Index(sender, step)];
            fault = Fail($"{_owner} received {Describe(sender, batch, step)} while {Describe(sender, slot.Message.Batch, slot.Message.Step)} was still unread (a neighbour ran more than one step ahead)");
        }

        WakeWithFault(fault);
    }

    /// <summary>
    /// The message for <paramref name="batch"/> and <paramref name="step"/> from <paramref name="sender"/>: at once if it
    /// is here, else when it arrives. Fails with <see cref="NeighbourProtocolException"/> on a fault or an abort.
    /// </summary>
    public ValueTask<NeighbourMessage> ReceiveAsync(Sender sender, int batch, int step)
    {
        lock (_gate)
        {
            if (_fault is not null)
            {
                throw new NeighbourProtocolException(_fault);
            }

            if (_closed)
            {
                throw new NeighbourProtocolException($"{_owner} has been deactivated");
            }

            if (_awaited is not null)
            {
                throw new InvalidOperationException($"{_owner} is already waiting for a message; its loop waits for one at a time.");
            }

            ref Slot slot = ref _slots[Index(sender, step)];
            if (slot.Full)
            {
                NeighbourMessage message = slot.Message;
                if (message.Batch != batch || message.Step != step)
                {
                    _fault ??= Mismatch(new Awaited(sender, batch, step), message);
                    throw new NeighbourProtocolException(_fault);
                }

                slot = default;
                return new ValueTask<NeighbourMessage>(message);
            }

            _waiter.Reset();
            _awaited = new Awaited(sender, batch, step);
            return new ValueTask<NeighbourMessage>(this, _waiter.Version);
        }
    }

    /// <summary>Makes the loop stop waiting (the run gave up on this batch): the current and every later wait fail with <paramref name="reason"/>.</summary>
    public void Abort(string reason)
    {
        string? fault;
        lock (_gate)
        {
            fault = Fail($"{_owner} stopped: {reason}");
        }

        WakeWithFault(fault);
    }

    /// <summary>
    /// Forgets a fault and the messages left from the pass it ended, so the layer can run an evaluation of a run that
    /// failed. Only before a pass whose messages cannot have been sent yet; without a fault it changes nothing.
    /// </summary>
    public void ClearFault()
    {
        lock (_gate)
        {
            if (_fault is null)
            {
                return;
            }

            _fault = null;
            Array.Clear(_slots);
        }
    }

    /// <summary>
    /// Starts a new building of the run's layers: from now on only messages of <paramref name="generation"/> (or
    /// unversioned ones) are taken; a fault, and the messages of other buildings the inbox held, are forgotten.
    /// </summary>
    public void Reset(int generation)
    {
        lock (_gate)
        {
            _generation = generation;
            _fault = null;
            for (int i = 0; i < _slots.Length; i++)
            {
                if (_slots[i].Full && !IsCurrentLocked(_slots[i].Message.Generation))
                {
                    _slots[i] = default;
                }
            }
        }
    }

    /// <summary>Whether a message of <paramref name="generation"/> belongs to the current building.</summary>
    public bool IsCurrent(int generation)
    {
        lock (_gate)
        {
            return IsCurrentLocked(generation);
        }
    }

    private bool IsCurrentLocked(int generation) => generation == 0 || generation == _generation;

    /// <summary>Closes the inbox for good (the activation is going): deposits are refused and a waiting loop fails.</summary>
    public void Close()
    {
        string? fault;
        lock (_gate)
        {
            _closed = true;
            fault = Fail($"{_owner} has been deactivated");
        }

        WakeWithFault(fault);
    }

    /// <inheritdoc/>
    public NeighbourMessage GetResult(short token) => _waiter.GetResult(token);

    /// <inheritdoc/>
    public ValueTaskSourceStatus GetStatus(short token) => _waiter.GetStatus(token);

    /// <inheritdoc/>
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) => _waiter.OnCompleted(continuation, state, token, flags);

    private static int Index(Sender sender, int step) => ((int)sender * 2) + (step & 1);

    private static string Describe(Sender sender, int batch, int step) => sender == Sender.Below
        ? $"the activity from below for batch {batch} step {step}"
        : $"the feedback from above for batch {batch} step {step}";

    private string Mismatch(Awaited awaited, NeighbourMessage message) =>
        $"{_owner} expected {Describe(awaited.Sender, awaited.Batch, awaited.Step)} but received batch {message.Batch} step {message.Step}";

    /// <summary>
    /// Under the lock: keeps the first fault and claims the waiting loop, if any. Returns the fault to wake it with
    /// (outside the lock), or null when no loop waits.
    /// </summary>
    private string? Fail(string fault)
    {
        _fault ??= fault;
        if (_awaited is null)
        {
            return null;
        }

        _awaited = null;
        return _fault;
    }

    private void WakeWithFault(string? fault)
    {
        if (fault is not null)
        {
            _waiter.SetException(new NeighbourProtocolException(fault));
        }
    }

    private readonly record struct Slot(bool Full, NeighbourMessage Message);

    private readonly record struct Awaited(Sender Sender, int Batch, int Step);
}
