namespace Parma.Api;

/// <summary>Validation patterns shared by the CRD schema and the admission webhook.</summary>
public static class Patterns
{
    public const string Dns1123Subdomain = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

    public const string Dns1123Label = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

    public const string ConfigMapKey = "^[-._a-zA-Z0-9]+$";

    public const string HostDataHex = "^[0-9a-f]{64}$";

    public const string Digest = "^sha256:[0-9a-f]{64}$";

    public const string PercentOrCount = "^(100|[1-9]?[0-9])%$";
}
