using System.Text.Json.Nodes;

namespace Parma.Agent.Enforcement;

/// <summary>
/// Removes environment values from texts about a request: every NAME=value entry of the request's
/// process environment becomes NAME=&lt;redacted&gt;, and every value of four or more characters is
/// masked wherever else it occurs (shorter ones would mask digits and words of the reason itself).
/// </summary>
public sealed class EnvRedactor
{
    public const string Mask = "<redacted>";

    private const int MinimumBareValue = 4;

    private readonly List<(string Entry, string Name, string Value)> _entries;

    private EnvRedactor(List<(string, string, string)> entries) => _entries = entries;

    public static EnvRedactor For(JsonObject input)
    {
        var entries = new List<(string, string, string)>();
        Collect(input["OCI"]?["Process"]?["Env"], entries);
        Collect(input["process"]?["Env"], entries);
        entries.Sort((a, b) => b.Item1.Length.CompareTo(a.Item1.Length));
        return new EnvRedactor(entries);
    }

    /// <summary>The same, read from the protobuf request (CreateContainer's OCI process, ExecProcess's process).</summary>
    public static EnvRedactor For(Google.Protobuf.IMessage request)
    {
        var env = request switch
        {
            Protocol.CreateContainerRequest c => c.OCI?.Process?.Env,
            Protocol.ExecProcessRequest e => e.Process?.Env,
            _ => null,
        };
        var entries = new List<(string, string, string)>();
        foreach (var text in env ?? [])
        {
            var eq = text.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0 && eq < text.Length - 1)
            {
                entries.Add((text, text[..eq], text[(eq + 1)..]));
            }
        }

        entries.Sort((a, b) => b.Item1.Length.CompareTo(a.Item1.Length));
        return new EnvRedactor(entries);
    }

    private static void Collect(JsonNode? env, List<(string, string, string)> entries)
    {
        if (env is not JsonArray list)
        {
            return;
        }

        foreach (var entry in list)
        {
            if (entry is JsonValue v && v.TryGetValue<string>(out var text))
            {
                var eq = text.IndexOf('=', StringComparison.Ordinal);
                if (eq >= 0 && eq < text.Length - 1)
                {
                    entries.Add((text, text[..eq], text[(eq + 1)..]));
                }
            }
        }
    }

    public string? Redact(string? text)
    {
        if (text is null)
        {
            return null;
        }

        foreach (var (entry, name, _) in _entries)
        {
            text = text.Replace(entry, $"{name}={Mask}", StringComparison.Ordinal);
        }

        foreach (var (_, _, value) in _entries)
        {
            if (value.Length >= MinimumBareValue)
            {
                text = text.Replace(value, Mask, StringComparison.Ordinal);
            }
        }

        return text;
    }
}
