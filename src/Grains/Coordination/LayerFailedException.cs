namespace Pcn.Grains.Coordination;

/// <summary>A layer could not finish its part of a batch or evaluation; the message names the layer and the fault.</summary>
internal sealed class LayerFailedException(string message) : Exception(message);
