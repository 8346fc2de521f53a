using System.Net.Http.Headers;

namespace Parma.Oci.Registry;

/// <summary>A parsed <c>WWW-Authenticate</c> challenge: Basic, or Bearer with realm/service/scope.</summary>
internal sealed record AuthChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public string? Realm => Parameters.GetValueOrDefault("realm");

    public string? Service => Parameters.GetValueOrDefault("service");

    public string? Scope => Parameters.GetValueOrDefault("scope");

    public static AuthChallenge? From(HttpResponseHeaders headers)
    {
        foreach (var value in headers.WwwAuthenticate)
        {
            var parameters = ParseParameters(value.Parameter ?? string.Empty);
            if (string.Equals(value.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase))
            {
                return new AuthChallenge("Bearer", parameters);
            }

            if (string.Equals(value.Scheme, "Basic", StringComparison.OrdinalIgnoreCase))
            {
                return new AuthChallenge("Basic", parameters);
            }
        }

        return null;
    }

    /// <summary>Parses <c>key="value", key2=value2</c> allowing commas inside quotes.</summary>
    private static Dictionary<string, string> ParseParameters(string text)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && (text[i] == ',' || char.IsWhiteSpace(text[i])))
            {
                i++;
            }

            var equals = text.IndexOf('=', i);
            if (equals < 0)
            {
                break;
            }

            var key = text[i..equals].Trim();
            i = equals + 1;
            string value;
            if (i < text.Length && text[i] == '"')
            {
                var end = text.IndexOf('"', i + 1);
                if (end < 0)
                {
                    end = text.Length;
                }

                value = text[(i + 1)..end];
                i = end + 1;
            }
            else
            {
                var end = text.IndexOf(',', i);
                if (end < 0)
                {
                    end = text.Length;
                }

                value = text[i..end].Trim();
                i = end;
            }

            result[key] = value;
        }

        return result;
    }
}
