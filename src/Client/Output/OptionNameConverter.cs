using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pcn.Client.Output;

/// <summary>Writes an option enum as the name users type (mupc, leaky_relu, ce, bp) and reads it back.</summary>
public sealed class OptionNameConverter<T>(Func<T, string> name, Func<string, T> parse) : JsonConverter<T>
    where T : struct, Enum
{
    /// <inheritdoc/>
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => parse(reader.GetString() ?? string.Empty);

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(name(value));
    }
}
