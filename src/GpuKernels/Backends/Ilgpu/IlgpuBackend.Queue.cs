using System.Buffers;
using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;

namespace Pcn.GpuKernels.Backends.Ilgpu;

/// <summary>
/// The queue between the operations and the device. Each operation becomes a command that depends on the queued
/// commands that write what it reads or writes, or read what it writes. Commands wait until the host needs a value (a
/// read, a download, a tensor released) or the queue grows long; then they are launched by level without the host
/// waiting. A command's level is as late as its dependants allow (the longest chain after it, counted back from the
/// end): commands of one level are independent, and a level runs as one launch per <see cref="CommandGroup"/>. Counting
/// from the end lines up the layers: after a feedforward pass each layer starts inference at a different depth, but
/// every layer ends its batch with the same chain of steps, so step t of every layer lands on one level and the same
/// phase of all layers runs as one launch, whatever the number of layers. The device's stream runs levels in order,
/// which keeps every dependency.
/// </summary>
public sealed partial class IlgpuBackend
{
    /// <summary>Commands queued before they are launched without a read (a deep batch queues ~5 per layer and step).</summary>
    private const int MaxQueued = 1 << 17;

    private readonly List<DeviceCommand> _queued = [];
    private readonly Dictionary<object, ResourceUse> _tensorUses = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<long, ResourceUse> _slotUses = [];
    private readonly List<List<DeviceCommand>> _levels = [];
    private readonly Dictionary<CommandGroup, List<DeviceCommand>> _launchGroups = [];
    private readonly List<CommandGroup> _launchOrder = [];
    private ElementwiseItem[] _elementwiseScratch = [];
    private GemmItem[] _gemmScratch = [];

    /// <summary>
    /// Queues <paramref name="command"/> after every queued command it depends on: those that write what it reads or
    /// writes (<paramref name="reads"/>, <paramref name="writes"/>, the scalar <paramref name="slot"/>), and those that
    /// read what it writes.
    /// </summary>
    private void Queue(DeviceCommand command, ReadOnlySpan<IlgpuTensor?> reads, ReadOnlySpan<IlgpuTensor?> writes, long slot = -1)
    {
        int index = _queued.Count;
        List<int> predecessors = command.Predecessors;
        foreach (IlgpuTensor? tensor in reads)
        {
            if (tensor is not null && _tensorUses.TryGetValue(tensor, out ResourceUse? use) && use.Writer >= 0)
            {
                predecessors.Add(use.Writer);
            }
        }

        foreach (IlgpuTensor? tensor in writes)
        {
            if (tensor is not null && _tensorUses.TryGetValue(tensor, out ResourceUse? use))
            {
                use.AddTo(predecessors);
            }
        }

        if (slot >= 0 && _slotUses.TryGetValue(slot, out ResourceUse? slotUse))
        {
            slotUse.AddTo(predecessors);
        }

        foreach (IlgpuTensor? tensor in reads)
        {
            if (tensor is not null)
            {
                Use(_tensorUses, tensor).Readers.Add(index);
            }
        }

        foreach (IlgpuTensor? tensor in writes)
        {
            if (tensor is not null)
            {
                Use(_tensorUses, tensor).Write(index);
            }
        }

        if (slot >= 0)
        {
            Use(_slotUses, slot).Write(index);
        }

        _queued.Add(command);
        if (_queued.Count >= MaxQueued)
        {
            LaunchAll();
        }
    }

    /// <summary>Launches everything queued, level by level (the device runs it in order; the host does not wait).</summary>
    private void LaunchAll()
    {
        int count = _queued.Count;
        if (count == 0)
        {
            return;
        }

        // Queue order is a topological order: one pass from the end gives each command the longest chain after it.
        int[] height = new int[count];
        int highest = 0;
        for (int i = count - 1; i >= 0; i--)
        {
            highest = Math.Max(highest, height[i]);
            foreach (int predecessor in _queued[i].Predecessors)
            {
                height[predecessor] = Math.Max(height[predecessor], height[i] + 1);
            }
        }

        while (_levels.Count <= highest)
        {
            _levels.Add([]);
        }

        for (int i = 0; i < count; i++)
        {
            _levels[highest - height[i]].Add(_queued[i]);
        }

        try
        {
            for (int level = 0; level <= highest; level++)
            {
                LaunchLevel(_levels[level]);
            }
        }
        finally
        {
            foreach (List<DeviceCommand> level in _levels)
            {
                level.Clear();
            }

            _queued.Clear();
            _tensorUses.Clear();
            _slotUses.Clear();
        }
    }

    /// <summary>The first <paramref name="count"/> items of a reused host array (grown when too short): a launch's table.</summary>
    private static Span<T> Scratch<T>(ref T[] array, int count)
    {
        if (array.Length < count)
        {
            array = new T[Math.Max(count, 2 * array.Length)];
        }

        return array.AsSpan(0, count);
    }

    private static ResourceUse Use<TKey>(Dictionary<TKey, ResourceUse> uses, TKey key)
        where TKey : notnull
    {
        if (!uses.TryGetValue(key, out ResourceUse? use))
        {
            uses[key] = use = new ResourceUse();
        }

        return use;
    }

    private void LaunchLevel(List<DeviceCommand> level)
    {
        _launchOrder.Clear();
        foreach (List<DeviceCommand> members in _launchGroups.Values)
        {
            members.Clear();
        }

        foreach (DeviceCommand command in level)
        {
            if (!_launchGroups.TryGetValue(command.Group, out List<DeviceCommand>? members))
            {
                _launchGroups[command.Group] = members = [];
            }

            if (members.Count == 0)
            {
                _launchOrder.Add(command.Group);
            }

            members.Add(command);
        }

        foreach (CommandGroup group in _launchOrder)
        {
            List<DeviceCommand> members = _launchGroups[group];

            // The same items in the same order make the same table, which is then found in the cache.
            members.Sort(static (a, b) => a.OutputOffset.CompareTo(b.OutputOffset));
            switch (group.Kind)
            {
                case CommandKind.Upload:
                    foreach (DeviceCommand upload in members)
                    {
                        IlgpuTensor target = upload.Target!;
                        target.View.CopyFromCPU(_accelerator.DefaultStream, upload.Staging.AsSpan(0, target.Length));
                        ArrayPool<float>.Shared.Return(upload.Staging!);
                        _counters.HostToDeviceBytes += (long)target.Length * sizeof(float);
                    }

                    break;
                case CommandKind.Elementwise:
                    LaunchElementwise(group, members);
                    break;
                default:
                    LaunchGemm(group, members);
                    break;
            }
        }
    }

    private void LaunchElementwise(CommandGroup group, List<DeviceCommand> members)
    {
        Span<ElementwiseItem> items = Scratch(ref _elementwiseScratch, members.Count);
        int longest = 0;
        for (int i = 0; i < items.Length; i++)
        {
            items[i] = members[i].Elementwise;
            longest = Math.Max(longest, items[i].Length);
        }

        bool reduces = group.Op is ElementwiseOp.PredictionError or ElementwiseOp.ActivityStep or ElementwiseOp.Adam or ElementwiseOp.SumOfSquares or ElementwiseOp.CrossEntropyError;
        int segment = _elementwiseGroup * BatchedKernels.ElementsPerThread;
        int segments = reduces ? 1 : Math.Max(1, (longest + segment - 1) / segment);
        var config = new KernelConfig(
            new Index2D(segments, items.Length),
            new Index2D(_elementwiseGroup, 1),
            SharedMemoryConfig.RequestDynamic<double>(_elementwiseGroup));
        _elementwise(config, ChunkView(group.Chunk), _scalarBuffer!.View, _elementwiseTables.Find(items), (int)group.Op, group.Adam);
        _counters.Launches++;
    }

    private void LaunchGemm(CommandGroup group, List<DeviceCommand> members)
    {
        Span<GemmItem> items = Scratch(ref _gemmScratch, members.Count);
        for (int i = 0; i < items.Length; i++)
        {
            items[i] = members[i].Product;
        }

        GemmShape shape = group.Shape;
        int tile = _gemmSide * BatchedKernels.GemmPerThread;
        var config = new KernelConfig(
            new Index3D((shape.N + tile - 1) / tile, (shape.M + tile - 1) / tile, items.Length),
            new Index3D(_gemmSide, _gemmSide, 1),
            SharedMemoryConfig.RequestDynamic<float>(2 * BatchedKernels.GemmDepth * tile));
        _gemm(config, ChunkView(group.Chunk), _gemmTables.Find(items), shape.M, shape.N, shape.K, shape.TransposeA ? 1 : 0, shape.HasResidual ? 1 : 0);
        _counters.Launches++;
    }

    /// <summary>Who last wrote a tensor or slot in the queue, and who read it since.</summary>
    private sealed class ResourceUse
    {
        public int Writer { get; private set; } = -1;

        public List<int> Readers { get; } = [];

        /// <summary>The commands a new writer must follow.</summary>
        public void AddTo(List<int> predecessors)
        {
            if (Writer >= 0)
            {
                predecessors.Add(Writer);
            }

            predecessors.AddRange(Readers);
        }

        public void Write(int command)
        {
            Writer = command;
            Readers.Clear();
        }
    }

    /// <summary>
    /// Device copies of item tables, kept by content: a layer's operands stay where they are, so a batch's launches
    /// find the tables of the batch before and copy nothing. A table is looked up by its bytes without copying them.
    /// </summary>
    private sealed class TableCache<T>(IlgpuBackend owner)
        where T : unmanaged
    {
        /// <summary>Distinct tables kept before the cache starts again (layers built and dropped over a long life).</summary>
        private const int MaxTables = 1 << 16;

        private readonly Dictionary<byte[], MemoryBuffer1D<T, Stride1D.Dense>> _tables = new(TableBytes.Comparer);

        public ArrayView<T> Find(ReadOnlySpan<T> items)
        {
            ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(items);
            if (_tables.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(bytes, out MemoryBuffer1D<T, Stride1D.Dense>? table))
            {
                return table.View;
            }

            if (_tables.Count >= MaxTables)
            {
                // Launched kernels may still read the old tables.
                owner.WaitForDevice();
                Clear();
            }

            table = owner._accelerator.Allocate1D<T>(items.Length);
            owner._counters.Allocations++;
            table.View.CopyFromCPU(owner._accelerator.DefaultStream, items);
            owner._counters.HostToDeviceBytes += bytes.Length;
            _tables[bytes.ToArray()] = table;
            return table.View;
        }

        public void Clear()
        {
            foreach (MemoryBuffer1D<T, Stride1D.Dense> table in _tables.Values)
            {
                table.Dispose();
            }

            _tables.Clear();
        }
    }

    /// <summary>Compares tables by their bytes, as arrays (the stored keys) or spans (a launch's items).</summary>
    private sealed class TableBytes : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static TableBytes Comparer { get; } = new();

        public bool Equals(byte[]? x, byte[]? y) => ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

        public int GetHashCode(byte[] obj) => Hash(obj);

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate) => Hash(alternate);

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();

        private static int Hash(ReadOnlySpan<byte> bytes)
        {
            var hash = default(HashCode);
            hash.AddBytes(bytes);
            return hash.ToHashCode();
        }
    }
}
