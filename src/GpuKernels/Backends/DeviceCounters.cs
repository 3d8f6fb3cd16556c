namespace Pcn.GpuKernels.Backends;

/// <summary>
/// What a backend asked of its device since it was created: kernel launches, host waits for the device, device
/// allocations (buffers taken from the device's allocator or from the backend's pool), and bytes copied between host and
/// device. Backends that compute on the host count nothing. Take two readings and subtract them to count a batch.
/// </summary>
/// <param name="Launches">Kernels launched.</param>
/// <param name="HostWaits">Times the host waited for the device to finish its queued work.</param>
/// <param name="Allocations">Device memory allocations (tensors, reduction buffers, descriptor tables).</param>
/// <param name="HostToDeviceBytes">Bytes copied from host to device.</param>
/// <param name="DeviceToHostBytes">Bytes copied from device to host.</param>
public readonly record struct DeviceCounters(long Launches, long HostWaits, long Allocations, long HostToDeviceBytes, long DeviceToHostBytes)
{
    /// <summary>The counts between two readings.</summary>
    public static DeviceCounters operator -(DeviceCounters later, DeviceCounters earlier) => new(
        later.Launches - earlier.Launches,
        later.HostWaits - earlier.HostWaits,
        later.Allocations - earlier.Allocations,
        later.HostToDeviceBytes - earlier.HostToDeviceBytes,
        later.DeviceToHostBytes - earlier.DeviceToHostBytes);

    /// <summary>The counts between two readings.</summary>
    public static DeviceCounters Subtract(DeviceCounters later, DeviceCounters earlier) => later - earlier;

    /// <summary>The counts of two spans together.</summary>
    public static DeviceCounters operator +(DeviceCounters a, DeviceCounters b) => new(
        a.Launches + b.Launches,
        a.HostWaits + b.HostWaits,
        a.Allocations + b.Allocations,
        a.HostToDeviceBytes + b.HostToDeviceBytes,
        a.DeviceToHostBytes + b.DeviceToHostBytes);

    /// <summary>The counts of two spans together.</summary>
    public static DeviceCounters Add(DeviceCounters a, DeviceCounters b) => a + b;
}
