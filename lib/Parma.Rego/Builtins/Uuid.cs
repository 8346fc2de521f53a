using System.Globalization;

namespace Parma.Rego.Builtins;

/// <summary>uuid.parse: the fields of an RFC 4122 UUID (version, variant, and for versions 1 and 2 the time, clock sequence and node).</summary>
internal static class Uuid
{
    public static void Register(Registrar add)
    {
        add("uuid.parse", 1, a =>
        {
            var text = Args.Str("uuid.parse", a, 0);
            var hex = Normalize(text);
            if (hex is null)
            {
                return null;
            }

            var bytes = Convert.FromHexString(hex);
            var version = bytes[6] >> 4;
            var variant = (bytes[8] & 0x80) == 0 ? "Reserved, NCS backward compatibility"
                : (bytes[8] & 0xc0) == 0x80 ? "RFC4122"
                : (bytes[8] & 0xe0) == 0xc0 ? "Reserved, Microsoft Corporation backward compatibility"
                : "Reserved, reserved for future definition";
            var fields = new List<KeyValuePair<string, Value>>
            {
                new("version", Value.Number(version)),
                new("variant", Value.String(variant)),
            };
            if (version is 1 or 2)
            {
                // 60-bit count of 100 ns intervals since 1582-10-15, as nanoseconds since the Unix epoch.
                long timeLow = ((long)bytes[0] << 24) | ((long)bytes[1] << 16) | ((long)bytes[2] << 8) | bytes[3];
                long timeMid = (bytes[4] << 8) | bytes[5];
                long timeHigh = ((bytes[6] & 0x0f) << 8) | bytes[7];
                var ticks = (timeHigh << 48) | (timeMid << 32) | timeLow;
                const long gregorianToUnix = 122_192_928_000_000_000;
                fields.Add(new("time", Value.Number((System.Numerics.BigInteger)(ticks - gregorianToUnix) * 100)));
                fields.Add(new("clocksequence", Value.Number(((bytes[8] & 0x3f) << 8) | bytes[9])));
                var node = string.Join('-', bytes[10..].Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
                fields.Add(new("nodeid", Value.String(node)));
                fields.Add(new("macvariables", Value.String(((bytes[10] & 2) == 0 ? "global" : "local") + ":" + ((bytes[10] & 1) == 0 ? "unicast" : "multicast"))));
                if (version == 2)
                {
                    fields.Add(new("id", Value.Number(timeLow)));
                    fields.Add(new("domain", Value.String(bytes[9] switch { 0 => "Person", 1 => "Group", 2 => "Org", var d => $"Domain{d}" })));
                }
            }

            return Value.Object(fields);
        });
    }

    /// <summary>The 32 hex digits of a UUID in the forms Go's uuid.Parse accepts (plain, dashed, braced, urn:uuid:); null otherwise.</summary>
    private static string? Normalize(string text)
    {
        var s = text;
        if (s.Length == 45 && s.StartsWith("urn:uuid:", StringComparison.OrdinalIgnoreCase))
        {
            s = s[9..];
        }
        else if (s.Length == 38 && s[0] == '{' && s[^1] == '}')
        {
            s = s[1..^1];
        }

        if (s.Length == 36)
        {
            if (s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-')
            {
                return null;
            }

            s = s.Replace("-", string.Empty, StringComparison.Ordinal);
        }

        return s.Length == 32 && s.All(Uri.IsHexDigit) ? s : null;
    }
}
