namespace Pcn.Abstractions.Options;

/// <summary>An option was out of its allowed range; the message names the option, the value and what is allowed.</summary>
[GenerateSerializer]
[Alias("pcn.invalid-option")]
public sealed class InvalidOptionException : ArgumentException
{
    /// <summary>Creates the exception for <paramref name="option"/> (its user-facing name, e.g. <c>--depth</c>).</summary>
    public InvalidOptionException(string option, string value, string allowed)
        : base($"Invalid option {option} = {value}: {allowed}.")
    {
        Option = option;
    }

    /// <summary>The user-facing name of the offending option.</summary>
    [Id(0)]
    public string Option { get; }
}
