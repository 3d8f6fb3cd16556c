namespace Pcn.GpuKernels.Backends.Ilgpu;

/// <summary>How a queued command runs.</summary>
internal enum CommandKind
{
    /// <summary>An item of <see cref="BatchedKernels.Elementwise"/>.</summary>
    Elementwise,

    /// <summary>An item of <see cref="BatchedKernels.Gemm"/>.</summary>
    Gemm,

    /// <summary>A copy from host memory into a tensor.</summary>
    Upload,
}

/// <summary>
/// What one launch shares: commands of one level with equal groups run as one kernel (their items in one table).
/// </summary>
/// <param name="Kind">How the commands run.</param>
/// <param name="Op">The element-wise operation.</param>
/// <param name="Chunk">The pool chunk every operand lies in.</param>
/// <param name="Shape">The products' shape.</param>
/// <param name="Adam">Adam's constants.</param>
internal readonly record struct CommandGroup(CommandKind Kind, ElementwiseOp Op, int Chunk, GemmShape Shape, AdamArguments Adam);

/// <summary>One tensor operation waiting in <see cref="IlgpuBackend"/>'s queue for its level to be launched.</summary>
internal sealed class DeviceCommand
{
    /// <summary>The launch it can share.</summary>
    public CommandGroup Group { get; init; }

    /// <summary>The element-wise item.</summary>
    public ElementwiseItem Elementwise { get; init; }

    /// <summary>The product item.</summary>
    public GemmItem Product { get; init; }

    /// <summary>An upload's values (rented; returned once copied).</summary>
    public float[]? Staging { get; init; }

    /// <summary>An upload's tensor.</summary>
    public IlgpuTensor? Target { get; init; }

    /// <summary>Queued commands (by index in the queue) this one must run after.</summary>
    public List<int> Predecessors { get; } = [];

    /// <summary>The offset of the output, which orders the items of a launch (no two commands of a level write one tensor).</summary>
    public long OutputOffset => Group.Kind == CommandKind.Gemm ? Product.C : Elementwise.C;
}
