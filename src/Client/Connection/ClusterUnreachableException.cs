namespace Pcn.Client.Connection;

/// <summary>The client could not reach the cluster in time; the message says where it tried and what to check.</summary>
public sealed class ClusterUnreachableException(string message, Exception? inner) : Exception(message, inner);
