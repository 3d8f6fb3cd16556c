namespace Pcn.Grains.Diagnostics;

/// <summary>The kinds of neighbour message, as metric tags (allocated once).</summary>
internal sealed class MessageKind
{
    private MessageKind(string name) => Tag = new KeyValuePair<string, object?>("kind", name);

    /// <summary>z sent up.</summary>
    public static MessageKind Activity { get; } = new("activity");

    /// <summary>Feedback (and error) sent down.</summary>
    public static MessageKind Feedback { get; } = new("feedback");

    /// <summary>The tag.</summary>
    public KeyValuePair<string, object?> Tag { get; }
}
