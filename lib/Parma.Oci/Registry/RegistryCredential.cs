namespace Parma.Oci.Registry;

/// <summary>Credentials for one registry: a user name and password, or an identity (refresh) token.</summary>
public sealed record RegistryCredential(string? Username, string? Password, string? IdentityToken = null)
{
    public override string ToString() => $"RegistryCredential({Username ?? "<token>"}, ***)";
}
