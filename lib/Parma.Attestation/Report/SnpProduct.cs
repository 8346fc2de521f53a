namespace Parma.Attestation.Report;

/// <summary>AMD EPYC generations with SEV-SNP; each has its own ARK and TCB layout.</summary>
public enum SnpProduct
{
    Unknown = 0,
    Milan,
    Genoa,
    Turin,
}

public static class SnpProducts
{
    /// <summary>
    /// Product from the CPUID family/model bytes of a version 3+ report: family 19h models 00h–0Fh are
    /// Milan, 10h–1Fh and A0h–AFh Genoa (incl. Bergamo/Siena, which use Genoa keys), family 1Ah models 00h–11h Turin.
    /// </summary>
    public static SnpProduct FromCpuid(byte family, byte model) => (family, model) switch
    {
        (0x19, <= 0x0F) => SnpProduct.Milan,
        (0x19, >= 0x10 and <= 0x1F) => SnpProduct.Genoa,
        (0x19, >= 0xA0 and <= 0xAF) => SnpProduct.Genoa,
        (0x1A, <= 0x11) => SnpProduct.Turin,
        _ => SnpProduct.Unknown,
    };

    /// <summary>Product from a name such as "Milan", "Milan-B0" (the VCEK productName extension) or "genoa".</summary>
    public static SnpProduct Parse(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return SnpProduct.Unknown;
        }

        var stem = name.Split('-', 2)[0].Trim();
        return Enum.TryParse<SnpProduct>(stem, ignoreCase: true, out var product) ? product : SnpProduct.Unknown;
    }
}
