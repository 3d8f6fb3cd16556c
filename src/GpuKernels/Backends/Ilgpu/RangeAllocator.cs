namespace Pcn.GpuKernels.Backends.Ilgpu;

/// <summary>
/// Bookkeeping of free ranges in one device buffer: best fit, adjacent free ranges merged on release. Host-side only;
/// the buffer itself belongs to the caller.
/// </summary>
internal sealed class RangeAllocator
{
    // Free ranges by start, never empty, never adjacent (merged on release).
    private readonly SortedList<long, long> _free = [];

    /// <summary>Bookkeeping for a buffer of <paramref name="capacity"/> elements, all free.</summary>
    public RangeAllocator(long capacity)
    {
        Capacity = capacity;
        Release(0, capacity);
    }

    /// <summary>The buffer's length in elements.</summary>
    public long Capacity { get; }

    /// <summary>The same ranges in a buffer grown to <paramref name="capacity"/>: the new space after the old is free.</summary>
    public RangeAllocator Extend(long capacity)
    {
        var grown = new RangeAllocator(capacity);
        grown._free.Clear();
        foreach ((long start, long length) in _free)
        {
            grown._free.Add(start, length);
        }

        grown.Release(Capacity, capacity - Capacity);
        return grown;
    }

    /// <summary>The start of a free range of <paramref name="length"/> elements, now taken; −1 when none is large enough.</summary>
    public long Take(long length)
    {
        long bestStart = -1, bestLength = long.MaxValue;
        foreach ((long start, long free) in _free)
        {
            if (free >= length && free < bestLength)
            {
                (bestStart, bestLength) = (start, free);
            }
        }

        if (bestStart < 0)
        {
            return -1;
        }

        _free.Remove(bestStart);
        if (bestLength > length)
        {
            _free.Add(bestStart + length, bestLength - length);
        }

        return bestStart;
    }

    /// <summary>Returns a range taken by <see cref="Take"/>.</summary>
    public void Release(long start, long length)
    {
        if (length == 0)
        {
            return;
        }

        int after = IndexAfter(start);
        if (after < _free.Count && start + length == _free.Keys[after])
        {
            length += _free.Values[after];
            _free.RemoveAt(after);
        }

        if (after > 0 && _free.Keys[after - 1] + _free.Values[after - 1] == start)
        {
            long previous = _free.Keys[after - 1];
            _free[previous] = _free.Values[after - 1] + length;
            return;
        }

        _free.Add(start, length);
    }

    /// <summary>The index in <see cref="_free"/> of the first range starting after <paramref name="start"/>.</summary>
    private int IndexAfter(long start)
    {
        int low = 0, high = _free.Count;
        while (low < high)
        {
            int middle = (low + high) / 2;
            if (_free.Keys[middle] < start)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }
}
