using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Numerics;

namespace Parma.Rego.Builtins;

/// <summary>net.cidr_*: IPv4 and IPv6 addresses and CIDR blocks parsed as Go's net.ParseIP and net.ParseCIDR do.</summary>
internal static class Net
{
    private const int MaxExpanded = 1 << 20;

    public static void Register(Registrar add)
    {
        add("net.cidr_contains", 2, a =>
        {
            var cidr = Cidr("net.cidr_contains", Args.Str("net.cidr_contains", a, 0));
            var other = Args.Str("net.cidr_contains", a, 1);
            if (TryIp(other, out var ip))
            {
                return Value.Bool(cidr.Contains(ip));
            }

            var inner = Cidr("net.cidr_contains", other);
            return Value.Bool(cidr.Contains(inner.First) && cidr.Contains(inner.Last));
        });
        add("net.cidr_intersects", 2, a =>
        {
            var x = Cidr("net.cidr_intersects", Args.Str("net.cidr_intersects", a, 0));
            var y = Cidr("net.cidr_intersects", Args.Str("net.cidr_intersects", a, 1));
            return Value.Bool(x.Contains(y.First) || y.Contains(x.First));
        });
        add("net.cidr_overlap", 2, a =>
        {
            var cidr = Cidr("net.cidr_overlap", Args.Str("net.cidr_overlap", a, 0));
            var text = Args.Str("net.cidr_overlap", a, 1);
            return TryIp(text, out var ip) ? Value.Bool(cidr.Contains(ip)) : throw Args.Error("net.cidr_overlap", $"invalid IP address: {text}");
        });
        add("net.cidr_is_valid", 1, a => Value.Bool(TryCidr(Args.Str("net.cidr_is_valid", a, 0), out _)));
        add("net.cidr_expand", 1, a =>
        {
            var cidr = Cidr("net.cidr_expand", Args.Str("net.cidr_expand", a, 0));
            var count = cidr.Last.Number - cidr.First.Number + 1;
            if (count > MaxExpanded)
            {
                throw Args.Error("net.cidr_expand", $"{cidr.Text} holds {count} addresses, more than {MaxExpanded}");
            }

            var items = new List<Value>((int)count);
            for (var n = cidr.First.Number; n <= cidr.Last.Number; n++)
            {
                items.Add(Value.String(new Address(n, cidr.First.V6).ToString()));
            }

            return Value.Set(items);
        });
        add("net.cidr_merge", 1, a => Value.Set(Merge(a)));
        add("net.cidr_contains_matches", 2, ContainsMatches);
    }

    /// <summary>An address as a number (IPv4 in 32 bits, IPv6 in 128).</summary>
    internal readonly record struct Address(BigInteger Number, bool V6)
    {
        public override string ToString()
        {
            var bytes = Number.ToByteArray(isUnsigned: true, isBigEndian: true);
            var width = V6 ? 16 : 4;
            var full = new byte[width];
            bytes.CopyTo(full, width - bytes.Length);
            return new IPAddress(full).ToString();
        }
    }

    internal sealed record Network(Address First, Address Last, int Prefix, string Text)
    {
        public bool Contains(Address ip) =>
            ip.V6 == First.V6 && ip.Number >= First.Number && ip.Number <= Last.Number;

        public string Canonical => $"{First}/{Prefix}";
    }

    private static Network Cidr(string name, string text) =>
        TryCidr(text, out var cidr) ? cidr : throw Args.Error(name, $"invalid CIDR address: {text}");

    internal static bool TryCidr(string text, out Network network)
    {
        network = null!;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !TryIp(text[..slash], out var ip) || !TryDigits(text[(slash + 1)..], out var prefix))
        {
            return false;
        }

        var bits = ip.V6 ? 128 : 32;
        if (prefix > bits)
        {
            return false;
        }

        var hostMask = (BigInteger.One << (bits - prefix)) - 1;
        var first = ip.Number & ~hostMask & ((BigInteger.One << bits) - 1);
        network = new Network(new Address(first, ip.V6), new Address(first | hostMask, ip.V6), prefix, text);
        return true;
    }

    private static bool TryDigits(string text, out int value)
    {
        value = 0;
        return text.Length is > 0 and <= 3 && text.All(char.IsAsciiDigit) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Dotted-quad IPv4 (no leading zeros) or IPv6 without a zone; an IPv4-mapped IPv6 address is IPv4, as in Go.</summary>
    internal static bool TryIp(string text, out Address address)
    {
        address = default;
        if (text.Contains(':', StringComparison.Ordinal))
        {
            if (text.Contains('%', StringComparison.Ordinal) || !IPAddress.TryParse(text, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }

            if (v6.IsIPv4MappedToIPv6)
            {
                address = new Address(new BigInteger(v6.MapToIPv4().GetAddressBytes(), isUnsigned: true, isBigEndian: true), false);
                return true;
            }

            address = new Address(new BigInteger(v6.GetAddressBytes(), isUnsigned: true, isBigEndian: true), true);
            return true;
        }

        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        BigInteger n = 0;
        foreach (var part in parts)
        {
            if (part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0') || !part.All(char.IsAsciiDigit))
            {
                return false;
            }

            var octet = int.Parse(part, CultureInfo.InvariantCulture);
            if (octet > 255)
            {
                return false;
            }

            n = (n << 8) | octet;
        }

        address = new Address(n, false);
        return true;
    }

    /// <summary>The smallest set of CIDR blocks covering the given addresses and blocks (an address counts as a full-length block).</summary>
    private static IEnumerable<Value> Merge(Value[] a)
    {
        var blocks = new List<Network>();
        foreach (var item in Args.Collection("net.cidr_merge", a, 0))
        {
            if (item is not StringValue s)
            {
                throw Args.TypeError("net.cidr_merge", 1, "array of strings or set of strings", a[0]);
            }

            if (TryIp(s.Text, out var ip))
            {
                // A bare IPv4 address is its /32; an IPv6 address needs its prefix length, as in OPA.
                blocks.Add(ip.V6 ? throw Args.Error("net.cidr_merge", "IPv6 invalid: needs prefix length") : new Network(ip, ip, 32, s.Text));
            }
            else if (TryCidr(s.Text, out var cidr))
            {
                blocks.Add(cidr);
            }
            else
            {
                throw Args.Error("net.cidr_merge", $"IP/CIDR not valid: {s.Text}");
            }
        }

        var result = new List<Value>();
        foreach (var family in blocks.GroupBy(b => b.First.V6))
        {
            var bits = family.Key ? 128 : 32;
            var ranges = family.Select(b => (Start: b.First.Number, End: b.Last.Number)).OrderBy(r => r.Start).ToList();
            var merged = new List<(BigInteger Start, BigInteger End)>();
            foreach (var r in ranges)
            {
                if (merged.Count > 0 && r.Start <= merged[^1].End + 1)
                {
                    merged[^1] = (merged[^1].Start, BigInteger.Max(merged[^1].End, r.End));
                }
                else
                {
                    merged.Add(r);
                }
            }

            foreach (var (start, end) in merged)
            {
                foreach (var block in Split(start, end, bits))
                {
                    result.Add(Value.String($"{new Address(block.Start, family.Key)}/{block.Prefix}"));
                }
            }
        }

        return result;
    }

    /// <summary>Covers [start, end] with the fewest aligned blocks.</summary>
    private static IEnumerable<(BigInteger Start, int Prefix)> Split(BigInteger start, BigInteger end, int bits)
    {
        while (start <= end)
        {
            var size = 0;
            while (size < bits && (start & ((BigInteger.One << (size + 1)) - 1)) == 0 && start + (BigInteger.One << (size + 1)) - 1 <= end)
            {
                size++;
            }

            yield return (start, bits - size);
            start += BigInteger.One << size;
        }
    }

    private static Value? ContainsMatches(Value[] a)
    {
        var cidrs = Entries("net.cidr_contains_matches", a, 0);
        var targets = Entries("net.cidr_contains_matches", a, 1);
        var result = new List<Value>();
        foreach (var (cidrKey, cidrText) in cidrs)
        {
            var cidr = Cidr("net.cidr_contains_matches", cidrText);
            foreach (var (targetKey, targetText) in targets)
            {
                bool contained;
                if (TryIp(targetText, out var ip))
                {
                    contained = cidr.Contains(ip);
                }
                else
                {
                    var inner = Cidr("net.cidr_contains_matches", targetText);
                    contained = cidr.Contains(inner.First) && cidr.Contains(inner.Last);
                }

                if (contained)
                {
                    result.Add(Value.Array(cidrKey, targetKey));
                }
            }
        }

        return Value.Set(result);
    }

    /// <summary>
    /// A string (its own key), or an array, set or object of strings or of arrays whose first element is the
    /// string (keys: index, element, object key).
    /// </summary>
    private static List<(Value Key, string Text)> Entries(string name, Value[] a, int i)
    {
        string Text(Value v) => v switch
        {
            StringValue s => s.Text,
            ArrayValue { Items: [StringValue s, ..] } => s.Text,
            _ => throw Args.Error(name, $"operand {i + 1}: expected string or array with a string first element, got {Args.TypeName(v)}"),
        };

        return a[i] switch
        {
            StringValue s => [(s, s.Text)],
            ArrayValue arr => arr.Items.Select((v, index) => ((Value)Value.Number(index), Text(v))).ToList(),
            SetValue set => set.Items.Select(v => (v, Text(v))).ToList(),
            ObjectValue o => o.Pairs.Select(p => (p.Key, Text(p.Value))).ToList(),
            _ => throw Args.TypeError(name, i + 1, "one of {string, array, set, object}", a[i]),
        };
    }
}
