using System.IO.Compression;
using System.Text;

namespace Parma.Policy.Output;

/// <summary>Which annotation carries the policy into the pod sandbox.</summary>
public enum PolicyFormat
{
    /// <summary>`io.katacontainers.config.agent.policy` = base64(policy text).</summary>
    AgentPolicy,

    /// <summary>`io.katacontainers.config.hypervisor.cc_init_data` = base64(gzip(initdata TOML)).</summary>
    InitData,
}

/// <summary>The annotations that make a pod confidential, and the host_data they imply.</summary>
public sealed record PolicyAnnotations(string Key, string Value, string HostDataHex)
{
    public const string AgentPolicyKey = "io.katacontainers.config.agent.policy";
    public const string InitDataKey = "io.katacontainers.config.hypervisor.cc_init_data";
    public const string HostDataKey = "parma.dev/host-data";

    /// <summary>Kubernetes caps the total size of an object's annotations at 256 KiB.</summary>
    public const int AnnotationBudgetBytes = 256 * 1024;

    public IReadOnlyDictionary<string, string> ToDictionary() =>
        new SortedDictionary<string, string>(StringComparer.Ordinal) { [Key] = Value, [HostDataKey] = HostDataHex };

    /// <summary>Bytes these annotations add to an object (keys and values, as the API server counts them).</summary>
    public int SizeBytes => Encoding.UTF8.GetByteCount(Key) + Value.Length + Encoding.UTF8.GetByteCount(HostDataKey) + HostDataHex.Length;

    public static PolicyAnnotations For(string policyText, PolicyFormat format) => format switch
    {
        PolicyFormat.AgentPolicy => new PolicyAnnotations(
            AgentPolicyKey,
            Convert.ToBase64String(Encoding.UTF8.GetBytes(policyText)),
            HostData.ToHex(HostData.OfPolicy(policyText))),
        PolicyFormat.InitData => ForInitData(InitData.Create(policyText)),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    public static PolicyAnnotations ForInitData(InitData initData) =>
        new(InitDataKey, Convert.ToBase64String(Gzip(initData.TomlBytes)), HostData.ToHex(initData.HostData));

    /// <summary>gzip with a zeroed header time, so the same TOML always gives the same annotation.</summary>
    public static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }

    public static byte[] Gunzip(byte[] data)
    {
        using var input = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }
}
