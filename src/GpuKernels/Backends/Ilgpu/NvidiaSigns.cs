using System.Runtime.InteropServices;

namespace Pcn.GpuKernels.Backends.Ilgpu;

/// <summary>
/// What this machine shows of NVIDIA without asking ILGPU: the CUDA driver library that loads (if any) and the NVIDIA
/// device nodes and driver directory that exist. With none of them there is nothing a CUDA test could run on.
/// </summary>
/// <param name="DriverLibrary">The name or path under which the driver library loaded (null if none did).</param>
/// <param name="Paths">The NVIDIA device nodes and driver directories that exist.</param>
internal sealed record NvidiaSigns(string? DriverLibrary, IReadOnlyList<string> Paths)
{
    /// <summary>Where the CUDA driver library is looked for: its soname, and WSL's copy when the loader path lacks it.</summary>
    private static readonly string[] LinuxLibraries = ["libcuda.so.1", "/usr/lib/wsl/lib/libcuda.so.1"];

    /// <summary>Nodes the NVIDIA kernel driver creates (device 0 and the control node) and its /proc directory.</summary>
    private static readonly string[] LinuxPaths = ["/dev/nvidia0", "/dev/nvidiactl", "/proc/driver/nvidia"];

    /// <summary>No sign at all.</summary>
    public static NvidiaSigns None { get; } = new(null, []);

    /// <summary>Whether there is any sign of an NVIDIA driver or device.</summary>
    public bool Any => DriverLibrary is not null || Paths.Count > 0;

    /// <summary>What was looked for, for the detail of an absent result.</summary>
    public static string LookedFor => OperatingSystem.IsWindows()
        ? "no NVIDIA driver library (nvcuda.dll cannot be loaded)"
        : $"no NVIDIA driver library ({string.Join(" or ", LinuxLibraries)} cannot be loaded) and none of {string.Join(", ", LinuxPaths)}";

    /// <summary>Looks at this machine (loads the driver library, if there is one, and keeps it loaded).</summary>
    public static NvidiaSigns Find()
    {
        if (OperatingSystem.IsWindows())
        {
            return new NvidiaSigns(CanLoad("nvcuda.dll") ? "nvcuda.dll" : null, []);
        }

        if (!OperatingSystem.IsLinux())
        {
            // CUDA has no driver for macOS since 10.13; nothing else is probed.
            return None;
        }

        return new NvidiaSigns(LinuxLibraries.FirstOrDefault(CanLoad), [.. LinuxPaths.Where(p => File.Exists(p) || Directory.Exists(p))]);
    }

    /// <summary>The signs in a few words: <c>libcuda.so.1 loads; /dev/nvidia0, /proc/driver/nvidia exist</c>.</summary>
    public override string ToString()
    {
        string library = DriverLibrary is null ? "no CUDA driver library loads" : $"{DriverLibrary} loads";
        return Paths.Count == 0 ? library : $"{library}; {string.Join(", ", Paths)} exist";
    }

    /// <summary>
    /// Whether the library loads. It is not unloaded: once a CUDA context exists the driver keeps threads running in it,
    /// and ILGPU loads it anyway.
    /// </summary>
    private static bool CanLoad(string library) => NativeLibrary.TryLoad(library, out _);
}
