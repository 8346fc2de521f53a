using Parma.Policy.Output;

namespace Parma.Webhook.Admission;

/// <summary>
/// The first check on a policy a pod carries: its <c>parma.dev/host-data</c> must be the hash of that
/// policy, computed as the guest computes HOST_DATA (SHA-256 of the decoded policy text, or for initdata
/// the digest its TOML names). Only denials run it: a pod that carries exactly its stamp passes without it.
/// </summary>
public static class CarriedPolicy
{
    /// <summary>Null when the pod carries no policy or its host_data is the hash of the one it carries; else what is wrong.</summary>
    public static string? HostDataMismatch(PodClaim claim)
    {
        var (key, value) = claim.AgentPolicyValue is { } policy
            ? (PolicyAnnotations.AgentPolicyKey, policy)
            : claim.InitDataValue is { } initData ? (PolicyAnnotations.InitDataKey, initData) : (null, null);
        if (key is null || value is null)
        {
            return claim.HostData is null ? null : $"it carries {PolicyAnnotations.HostDataKey} {claim.HostData} but no policy annotation it could be the hash of";
        }

        string actual;
        try
        {
            actual = HostData.ToHex(PolicyAnnotations.HostDataOfValue(key, value.GetValue<string>()));
        }
        catch (InvalidDataException e)
        {
            return $"its policy annotation cannot be read: {e.Message}";
        }

        return claim.HostData == actual
            ? null
            : claim.HostData is null
                ? $"the policy in {key} hashes to host_data {actual}, but the pod carries no {PolicyAnnotations.HostDataKey}"
                : $"{PolicyAnnotations.HostDataKey} is {claim.HostData}, but the policy in {key} hashes to {actual}";
    }
}
