namespace Pcn.Grains.Coordination;

/// <summary>A layer of the run went away with its silo (or cannot be reached): the run can resume from a checkpoint.</summary>
internal sealed class LayerLostException(string message, Exception? inner = null) : Exception(message, inner);
