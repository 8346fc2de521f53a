namespace Parma.Attestation.Certificates;

/// <summary>AMD's X.509 extension OIDs in VCEK and VLEK certificates (AMD KDS specification).</summary>
public static class AmdOids
{
    public const string StructVersion = "1.3.6.1.4.1.3704.1.1";
    public const string ProductName = "1.3.6.1.4.1.3704.1.2";
    public const string BootloaderSpl = "1.3.6.1.4.1.3704.1.3.1";
    public const string TeeSpl = "1.3.6.1.4.1.3704.1.3.2";
    public const string SnpSpl = "1.3.6.1.4.1.3704.1.3.3";
    public const string MicrocodeSpl = "1.3.6.1.4.1.3704.1.3.8";
    public const string FmcSpl = "1.3.6.1.4.1.3704.1.3.9";
    public const string HardwareId = "1.3.6.1.4.1.3704.1.4";
    public const string CspId = "1.3.6.1.4.1.3704.1.5";

    public const string RsaPss = "1.2.840.113549.1.1.10";
    public const string Sha384 = "2.16.840.1.101.3.4.2.2";
}
