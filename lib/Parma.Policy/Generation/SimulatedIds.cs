using System.Security.Cryptography;
using System.Text;

namespace Parma.Policy.Generation;

/// <summary>Deterministic stand-ins for the random ids a runtime picks (container ids, suffixes), from a seed.</summary>
public static class SimulatedIds
{
    public static string Hex(string seed, int length) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(seed)))[..length];

    public static string Alphanumeric(string seed, int length)
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(seed));
        return new string(hash.Take(length).Select(b => alphabet[b % alphabet.Length]).ToArray());
    }

    public static string Uuid(string seed)
    {
        var h = Hex(seed, 32);
        return $"{h[..8]}-{h[8..12]}-{h[12..16]}-{h[16..20]}-{h[20..32]}";
    }
}
