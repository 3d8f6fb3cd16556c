namespace Pcn.GpuKernels.Backends;

/// <summary>Shape checks at the edge of every backend operation, with messages that name both shapes.</summary>
internal static class ShapeCheck
{
    public static void Same(string operation, string leftName, Tensor left, string rightName, Tensor right)
    {
        if (left.Rows != right.Rows || left.Columns != right.Columns)
        {
            throw new ArgumentException($"{operation}: {leftName} is {left.Shape} but {rightName} is {right.Shape}; they must match.");
        }
    }

    public static void Is(string operation, string name, Tensor tensor, int rows, int columns)
    {
        if (tensor.Rows != rows || tensor.Columns != columns)
        {
            throw new ArgumentException($"{operation}: {name} is {tensor.Shape} but must be {rows}×{columns}.");
        }
    }

    public static void Length(string operation, string name, int actual, Tensor tensor)
    {
        if (actual != tensor.Length)
        {
            throw new ArgumentException($"{operation}: {name} has {actual} elements but the tensor is {tensor.Shape} ({tensor.Length} elements).");
        }
    }

    /// <summary>The operands of <c>IPcBackend.ActivityStep</c>: all the shape of z.</summary>
    public static void ActivityStep(Tensor activity, Tensor error, Tensor feedback, Tensor? errorAbove, Tensor updated)
    {
        const string Operation = nameof(IPcBackend.ActivityStep);
        Same(Operation, "z", activity, "ε", error);
        Same(Operation, "z", activity, "fb", feedback);
        Same(Operation, "z", activity, "z′", updated);
        if (errorAbove is not null)
        {
            Same(Operation, "z", activity, "d_above", errorAbove);
        }
    }

    public static T Own<T>(Tensor tensor, string operation)
        where T : Tensor
    {
        return tensor as T ?? throw new ArgumentException($"{operation}: the tensor belongs to another backend ({tensor.GetType().Name}).");
    }
}
