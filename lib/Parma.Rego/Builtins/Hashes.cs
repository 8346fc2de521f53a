using System.Security.Cryptography;
using System.Text;

namespace Parma.Rego.Builtins;

/// <summary>crypto.md5/sha1/sha256 and crypto.hmac.*: digests of a string's UTF-8 bytes as lower-case hex.</summary>
internal static class Hashes
{
    public static void Register(Registrar add)
    {
        Digest(add, "crypto.md5", MD5.HashData);
        Digest(add, "crypto.sha1", SHA1.HashData);
        Digest(add, "crypto.sha256", SHA256.HashData);
        Hmac(add, "crypto.hmac.md5", HMACMD5.HashData);
        Hmac(add, "crypto.hmac.sha1", HMACSHA1.HashData);
        Hmac(add, "crypto.hmac.sha256", HMACSHA256.HashData);
        Hmac(add, "crypto.hmac.sha512", HMACSHA512.HashData);
        add("crypto.hmac.equal", 2, a => Value.Bool(CryptographicOperations.FixedTimeEquals(
            Encoding.UTF8.GetBytes(Args.Str("crypto.hmac.equal", a, 0)),
            Encoding.UTF8.GetBytes(Args.Str("crypto.hmac.equal", a, 1)))));
    }

    private static void Digest(Registrar add, string name, Func<byte[], byte[]> hash) =>
        add(name, 1, a => Value.String(Convert.ToHexStringLower(hash(Encoding.UTF8.GetBytes(Args.Str(name, a, 0))))));

    private static void Hmac(Registrar add, string name, Func<byte[], byte[], byte[]> mac) =>
        add(name, 2, a => Value.String(Convert.ToHexStringLower(mac(
            Encoding.UTF8.GetBytes(Args.Str(name, a, 1)),
            Encoding.UTF8.GetBytes(Args.Str(name, a, 0))))));
}
