namespace Parma.Attestation.Certificates;

/// <summary>
/// SHA-256 fingerprints of AMD's ARK certificates (DER), computed from AMD's published roots when this library was written.
/// A root is trusted only when its fingerprint equals one of these (or one a caller pins explicitly).
/// </summary>
public static class AmdRootPins
{
    public const string ArkMilan = "69d063b45344d26a2e94e1f4210de49ef555308287d4c174445c95639a540bcd";
    public const string ArkGenoa = "4c6598d19c18719c5dfd4a7d335f674e5bfe1d8f800cea2cf270c10d103db2f1";
    public const string ArkTurin = "1f084161a44bb6d93778a904877d4819cafa5d05ef4193b2ded9dd9c73dd3f6a";
}
