using System.Text.Json;

namespace Parma.Oci.Model;

/// <summary>JSON (de)serialisation of OCI documents with errors that name the document.</summary>
public static class OciJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNameCaseInsensitive = false,
        WriteIndented = false,
    };

    public static T Deserialize<T>(ReadOnlySpan<byte> json, string what)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, Options)
                ?? throw new InvalidDataException($"{what} is JSON null.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{what} is not valid JSON: {e.Message}", e);
        }
    }
}

/// <summary>Options for writing OCI documents: nulls omitted.</summary>
public static class OciJsonWriting
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}
