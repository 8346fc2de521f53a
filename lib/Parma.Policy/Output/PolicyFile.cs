using System.Text;
using Parma.Policy.Input;

namespace Parma.Policy.Output;

/// <summary>What a policy file turned out to be.</summary>
public enum PolicyFileKind
{
    PolicyText,
    InitDataToml,
    AgentPolicyAnnotation,
    InitDataAnnotation,
}

/// <summary>
/// A policy as people pass it around: Rego text, an initdata TOML, or the value of either
/// annotation. Knows the policy text inside and the host_data the hardware will hold for it.
/// </summary>
public sealed record PolicyFile(PolicyFileKind Kind, string PolicyText, byte[] HostData)
{
    public string HostDataHex => Output.HostData.ToHex(HostData);

    public static PolicyFile Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PolicyInputException($"{path}: {e.Message}");
        }

        return Parse(bytes, path);
    }

    public static PolicyFile Parse(byte[] bytes, string sourceName)
    {
        var text = Encoding.UTF8.GetString(bytes);
        if (LooksLikeRego(text))
        {
            return new PolicyFile(PolicyFileKind.PolicyText, text, Output.HostData.OfPolicy(text));
        }

        if (LooksLikeInitData(text))
        {
            var initData = InitData.Parse(text);
            return new PolicyFile(PolicyFileKind.InitDataToml, initData.Policy, initData.HostData);
        }

        byte[] decoded;
        try
        {
            decoded = Convert.FromBase64String(text.Trim());
        }
        catch (FormatException)
        {
            throw new PolicyInputException(
                $"{sourceName}: not a Rego policy (no package line), an initdata TOML (no version/algorithm) or a base64 annotation value.");
        }

        if (decoded.Length > 2 && decoded[0] == 0x1f && decoded[1] == 0x8b)
        {
            var toml = PolicyAnnotations.Gunzip(decoded);
            var initData = InitData.Parse(Encoding.UTF8.GetString(toml));
            return new PolicyFile(PolicyFileKind.InitDataAnnotation, initData.Policy, Output.HostData.OfInitData(toml, initData.Algorithm));
        }

        var policy = Encoding.UTF8.GetString(decoded);
        if (!LooksLikeRego(policy))
        {
            throw new PolicyInputException($"{sourceName}: the base64 value does not hold a Rego policy or gzip'd initdata.");
        }

        return new PolicyFile(PolicyFileKind.AgentPolicyAnnotation, policy, Output.HostData.OfPolicy(policy));
    }

    private static bool LooksLikeRego(string text) =>
        text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith('#'))?.StartsWith("package ", StringComparison.Ordinal) == true;

    private static bool LooksLikeInitData(string text) =>
        text.Split('\n').Any(l => l.TrimStart().StartsWith("algorithm", StringComparison.Ordinal))
        && text.Split('\n').Any(l => l.TrimStart().StartsWith("version", StringComparison.Ordinal));
}
