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

    /// <summary>Most bytes an annotation value is decoded to (base64, then gunzip for initdata): far above any policy, far below a gzip bomb.</summary>
    public const int MaxDecodedBytes = 4 * 1024 * 1024;

    /// <summary>
    /// The host_data a carried annotation gives the sandbox, computed as the guest computes it: SHA-256 of the
    /// base64-decoded policy bytes, or for initdata the digest its TOML names over the gunzipped TOML bytes.
    /// Throws <see cref="InvalidDataException"/> naming what is wrong with the value.
    /// </summary>
    public static byte[] HostDataOfValue(string key, string value)
    {
        byte[] decoded;
        try
        {
            decoded = Convert.FromBase64String(value);
        }
        catch (FormatException)
        {
            throw new InvalidDataException($"{key} is not base64");
        }

        if (key == AgentPolicyKey)
        {
            return HostData.OfPolicyBytes(decoded);
        }

        if (key != InitDataKey)
        {
            throw new ArgumentOutOfRangeException(nameof(key), key, "not a policy annotation key");
        }

        byte[] toml;
        try
        {
            toml = Gunzip(decoded, MaxDecodedBytes);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{key} is not base64 of gzip: {e.Message}");
        }

        var algorithm = Parma.Claims.HostDataCalculator.InitDataAlgorithm(toml)
            ?? throw new InvalidDataException($"{key} does not hold an initdata TOML (no algorithm line and [data] table)");
        try
        {
            return HostData.OfInitData(toml, algorithm);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"{key}: {e.Message}");
        }
    }

    /// <summary>gunzip that refuses output larger than <paramref name="maxBytes"/> (InvalidDataException).</summary>
    public static byte[] Gunzip(byte[] data, int maxBytes)
    {
        using var input = new GZipStream(new MemoryStream(data), CompressionMode.Decompress);
        using var output = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = input.Read(buffer)) > 0)
        {
            if (output.Length + read > maxBytes)
            {
                throw new InvalidDataException($"it decompresses to more than {maxBytes} bytes");
            }

            output.Write(buffer, 0, read);
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
