namespace Pcn.Abstractions.Options;

/// <summary>How weight gradients are obtained.</summary>
[GenerateSerializer]
[Alias("pcn.algorithm")]
public enum Algorithm
{
    /// <summary>Predictive coding: T gradient-descent inference steps on the activities, then one Adam step on ∂F/∂W.</summary>
    Pc,

    /// <summary>Backpropagation of the feedforward loss (the Depth-µP baseline).</summary>
    Bp,
}
