using System.Buffers;
using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;

namespace Pcn.GpuKernels.Backends.Ilgpu;

/// <summary>
/// The queue between the operations and the device. An operation becomes a command at a level: one above the last
/// level that writes what it reads or writes, or reads what it writes. Commands of one level are independent, so a
/// level runs as one launch per <see cref="CommandGroup"/> — the same phase of every layer that was queued, whatever
/// the number of layers — and levels run in order on the device's stream, which keeps every dependency. Commands wait
/// until the host needs a value (a read, a download, a tensor released) or the queue grows long; then the queued levels
/// are launched without the host waiting for them.
/// </summary>
public sealed partial class IlgpuBackend
{
    /// <summary>Commands queued before the older levels are launched without a read.</summary>
    private const int MaxQueued = 16384;

    /// <summary>Newest levels kept back when the queue is launched for its length: they may still gain commands.</summary>
    private const int LevelsKeptBack = 32;

    private readonly List<List<DeviceCommand>> _levels = [];
    private readonly Dictionary<object, (int Read, int Write)> _tensorLevels = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<long, (int Read, int Write)> _slotLevels = [];
    private readonly Dictionary<CommandGroup, List<DeviceCommand>> _launchGroups = [];
    private readonly List<CommandGroup> _launchOrder = [];
    private int _launchedThrough;
    private int _queued;

    /// <summary>
    /// Queues <paramref name="command"/> after every queued command it depends on: those that write what it reads or
    /// writes (<paramref name="reads"/>, <paramref name="writes"/>, the scalar <paramref name="slot"/>), and those that
    /// read what it writes.
    /// </summary>
    private void Queue(DeviceCommand command, ReadOnlySpan<IlgpuTensor?> reads, ReadOnlySpan<IlgpuTensor?> writes, long slot = -1)
    {
        int level = _launchedThrough + 1;
        foreach (IlgpuTensor? tensor in reads)
        {
            if (tensor is not null && _tensorLevels.TryGetValue(tensor, out (int Read, int Write) seen))
            {
                level = Math.Max(level, seen.Write + 1);
            }
        }

        foreach (IlgpuTensor? tensor in writes)
        {
            if (tensor is not null && _tensorLevels.TryGetValue(tensor, out (int Read, int Write) seen))
            {
                level = Math.Max(level, Math.Max(seen.Read, seen.Write) + 1);
            }
        }

        if (slot >= 0 && _slotLevels.TryGetValue(slot, out (int Read, int Write) slotSeen))
        {
            level = Math.Max(level, Math.Max(slotSeen.Read, slotSeen.Write) + 1);
        }

        foreach (IlgpuTensor? tensor in reads)
        {
            if (tensor is not null)
            {
                (int read, int write) = _tensorLevels.GetValueOrDefault(tensor);
                _tensorLevels[tensor] = (Math.Max(read, level), write);
            }
        }

        foreach (IlgpuTensor? tensor in writes)
        {
            if (tensor is not null)
            {
                _tensorLevels[tensor] = (_tensorLevels.GetValueOrDefault(tensor).Read, level);
            }
        }

        if (slot >= 0)
        {
            _slotLevels[slot] = (0, level);
        }

        int index = level - _launchedThrough - 1;
        while (_levels.Count <= index)
        {
            _levels.Add([]);
        }

        _levels[index].Add(command);
        if (++_queued > MaxQueued && _levels.Count > LevelsKeptBack)
        {
            Launch(_levels.Count - LevelsKeptBack);
        }
    }

    /// <summary>Launches everything queued (the device runs it in order; the host does not wait).</summary>
    private void LaunchAll()
    {
        Launch(_levels.Count);
        _tensorLevels.Clear();
        _slotLevels.Clear();
        _launchedThrough = 0;
    }

    /// <summary>Launches the oldest <paramref name="count"/> levels.</summary>
    private void Launch(int count)
    {
        for (int i = 0; i < count; i++)
        {
            LaunchLevel(_levels[i]);
            _queued -= _levels[i].Count;
        }

        _levels.RemoveRange(0, count);
        _launchedThrough += count;
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
        ElementwiseItem[] items = new ElementwiseItem[members.Count];
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
        GemmItem[] items = new GemmItem[members.Count];
        for (int i = 0; i < items.Length; i++)
        {
            items[i] = members[i].Product;
        }

        GemmShape shape = group.Shape;
        var config = new KernelConfig(
            new Index3D((shape.N + BatchedKernels.GemmTile - 1) / BatchedKernels.GemmTile, (shape.M + BatchedKernels.GemmTile - 1) / BatchedKernels.GemmTile, items.Length),
            new Index3D(BatchedKernels.GemmThreads, BatchedKernels.GemmThreads, 1));
        _gemm(config, ChunkView(group.Chunk), _gemmTables.Find(items), shape.M, shape.N, shape.K, shape.TransposeA ? 1 : 0, shape.HasResidual ? 1 : 0);
        _counters.Launches++;
    }

    /// <summary>
    /// Device copies of item tables, kept by content: a layer's operands stay where they are, so a batch's launches
    /// find the tables of the batch before and copy nothing.
    /// </summary>
    private sealed class TableCache<T>(IlgpuBackend owner)
        where T : unmanaged
    {
        /// <summary>Distinct tables kept before the cache starts again (layers built and dropped over a long life).</summary>
        private const int MaxTables = 4096;

        private readonly Dictionary<TableKey, MemoryBuffer1D<T, Stride1D.Dense>> _tables = [];

        public ArrayView<T> Find(T[] items)
        {
            var key = new TableKey(MemoryMarshal.AsBytes(items.AsSpan()).ToArray());
            if (_tables.TryGetValue(key, out MemoryBuffer1D<T, Stride1D.Dense>? table))
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
            owner._counters.HostToDeviceBytes += key.Bytes.Length;
            _tables[key] = table;
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

    /// <summary>A table's bytes, compared by content.</summary>
    private sealed class TableKey(byte[] bytes) : IEquatable<TableKey>
    {
        private readonly int _hash = Hash(bytes);

        public byte[] Bytes { get; } = bytes;

        public bool Equals(TableKey? other) => other is not null && other._hash == _hash && other.Bytes.AsSpan().SequenceEqual(Bytes);

        public override bool Equals(object? obj) => Equals(obj as TableKey);

        public override int GetHashCode() => _hash;

        private static int Hash(byte[] bytes)
        {
            var hash = default(HashCode);
            hash.AddBytes(bytes);
            return hash.ToHashCode();
        }
    }
}
