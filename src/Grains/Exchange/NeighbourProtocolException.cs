namespace Pcn.Grains.Exchange;

/// <summary>A layer got a message it cannot have been sent in a correct run (wrong batch or step, or one too many), or was told to stop waiting.</summary>
internal sealed class NeighbourProtocolException(string message) : Exception(message);
