namespace Pcn.Grains.Exchange;

/// <summary>Which neighbour a message comes from.</summary>
internal enum Sender
{
    /// <summary>z_{ℓ−1} from layer ℓ−1 (or x, for layer 1 during an evaluation).</summary>
    Below,

    /// <summary>Feedback and error from layer ℓ+1.</summary>
    Above,
}
