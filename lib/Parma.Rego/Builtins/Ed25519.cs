using System.Numerics;
using System.Security.Cryptography;

namespace Parma.Rego.Builtins;

/// <summary>
/// Ed25519 signature verification (RFC 8032, section 5.1.7) over plain big-integer arithmetic: the base class
/// library has no Ed25519. Verification handles only public data, so it needs no constant-time code.
/// </summary>
internal static class Ed25519
{
    private static readonly BigInteger P = BigInteger.Pow(2, 255) - 19;
    private static readonly BigInteger L = BigInteger.Pow(2, 252) + BigInteger.Parse("27742317777372353535851937790883648493", System.Globalization.CultureInfo.InvariantCulture);
    private static readonly BigInteger D = Mod(-121665 * Inverse(121666));
    private static readonly BigInteger SqrtMinusOne = BigInteger.ModPow(2, (P - 1) / 4, P);
    private static readonly Point Base = Decode(Convert.FromHexString("5866666666666666666666666666666666666666666666666666666666666666"))!.Value;

    private readonly record struct Point(BigInteger X, BigInteger Y, BigInteger Z, BigInteger T);

    public static bool Verify(byte[] publicKey, byte[] message, byte[] signature)
    {
        if (publicKey.Length != 32 || signature.Length != 64)
        {
            return false;
        }

        if (Decode(publicKey) is not { } a || Decode(signature[..32]) is not { } r)
        {
            return false;
        }

        var s = new BigInteger(signature.AsSpan(32), isUnsigned: true, isBigEndian: false);
        if (s >= L)
        {
            return false;
        }

        var h = new BigInteger(SHA512.HashData([.. signature[..32], .. publicKey, .. message]), isUnsigned: true, isBigEndian: false) % L;
        var left = Multiply(Base, s);
        var right = Add(r, Multiply(a, h));
        return Equal(left, right);
    }

    private static BigInteger Mod(BigInteger x)
    {
        var m = x % P;
        return m.Sign < 0 ? m + P : m;
    }

    private static BigInteger Inverse(BigInteger x) => BigInteger.ModPow(Mod(x), P - 2, P);

    private static Point Add(Point p, Point q)
    {
        var a = Mod((p.Y - p.X) * (q.Y - q.X));
        var b = Mod((p.Y + p.X) * (q.Y + q.X));
        var c = Mod(2 * p.T * q.T * D);
        var d = Mod(2 * p.Z * q.Z);
        BigInteger e = b - a, f = d - c, g = d + c, h = b + a;
        return new Point(Mod(e * f), Mod(g * h), Mod(f * g), Mod(e * h));
    }

    private static Point Multiply(Point p, BigInteger scalar)
    {
        var result = new Point(0, 1, 1, 0);
        while (scalar > 0)
        {
            if (!scalar.IsEven)
            {
                result = Add(result, p);
            }

            p = Add(p, p);
            scalar >>= 1;
        }

        return result;
    }

    private static bool Equal(Point p, Point q) =>
        Mod((p.X * q.Z) - (q.X * p.Z)) == 0 && Mod((p.Y * q.Z) - (q.Y * p.Z)) == 0;

    /// <summary>Point decompression; null when the encoding is not a curve point.</summary>
    private static Point? Decode(byte[] encoded)
    {
        var bytes = (byte[])encoded.Clone();
        var sign = bytes[31] >> 7;
        bytes[31] &= 0x7f;
        var y = new BigInteger(bytes, isUnsigned: true, isBigEndian: false);
        if (y >= P)
        {
            return null;
        }

        var x2 = Mod((y * y - 1) * Inverse((D * y * y) + 1));
        if (x2.IsZero)
        {
            return sign == 1 ? null : new Point(0, y, 1, 0);
        }

        var x = BigInteger.ModPow(x2, (P + 3) / 8, P);
        if (Mod(x * x - x2) != 0)
        {
            x = Mod(x * SqrtMinusOne);
        }

        if (Mod(x * x - x2) != 0)
        {
            return null;
        }

        if ((int)(x & 1) != sign)
        {
            x = P - x;
        }

        return new Point(x, y, 1, Mod(x * y));
    }
}
