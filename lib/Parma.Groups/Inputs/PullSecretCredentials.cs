using System.Security.Cryptography;
using System.Text;
using k8s.Models;
using Parma.Api;
using Parma.Oci.Registry;

namespace Parma.Groups.Inputs;

/// <summary>
/// Registry credentials from image pull secrets, in <see cref="PullSecretOrder"/>: for a registry, the
/// first Secret with credentials for it wins. A Secret counts as the kubelet counts it: type
/// kubernetes.io/dockerconfigjson with a non-empty .dockerconfigjson, or type kubernetes.io/dockercfg
/// (the legacy ~/.dockercfg format) with a non-empty .dockercfg; any other Secret, and a missing one, is
/// skipped (the registry may not need it). A payload that is not a Docker config is an error naming the Secret.
/// </summary>
public sealed class PullSecretCredentials : IRegistryCredentialProvider
{
    public const string DockerConfigJsonType = "kubernetes.io/dockerconfigjson";
    public const string DockerConfigJsonKey = ".dockerconfigjson";
    public const string DockerCfgType = "kubernetes.io/dockercfg";
    public const string DockerCfgKey = ".dockercfg";

    private readonly IReadOnlyList<(string Secret, DockerConfigCredentials Credentials)> _sources;

    private PullSecretCredentials(IReadOnlyList<(string, DockerConfigCredentials)> sources, string key)
    {
        _sources = sources;
        Key = key;
    }

    public static PullSecretCredentials None { get; } = new([], "");

    /// <summary>Secrets that held credentials, in the order they are tried.</summary>
    public IReadOnlyList<string> Secrets => [.. _sources.Select(s => s.Secret)];

    /// <summary>"" without credentials; else a digest of the Secrets' names and payloads (equal keys, equal credentials).</summary>
    public string Key { get; }

    public bool IsEmpty => _sources.Count == 0;

    public RegistryCredential? Find(string registry) => FindWithSource(registry)?.Credential;

    /// <summary>The credential used for <paramref name="registry"/> and the Secret it came from; null when none has one.</summary>
    public (string Secret, RegistryCredential Credential)? FindWithSource(string registry)
    {
        foreach (var (secret, credentials) in _sources)
        {
            if (credentials.Find(registry) is { } credential)
            {
                return (secret, credential);
            }
        }

        return null;
    }

    /// <summary>Reads the pull secrets of a pod (and its group) in <paramref name="ns"/> through <paramref name="reader"/>.</summary>
    public static async Task<PullSecretCredentials> ReadAsync(
        IGroupInputReader reader, string ns, V1PodSpec? spec, GroupPolicySpec? groupPolicy, CancellationToken cancellationToken)
    {
        var serviceAccount = PullSecretOrder.NeedsServiceAccount(spec)
            ? await reader.GetServiceAccountAsync(ns, GroupReferences.ServiceAccount(spec), cancellationToken).ConfigureAwait(false)
            : null;
        var sources = new List<(string, DockerConfigCredentials)>();
        var digest = new StringBuilder();
        foreach (var name in PullSecretOrder.Names(spec, serviceAccount, groupPolicy))
        {
            var secret = await reader.GetSecretAsync(ns, name, cancellationToken).ConfigureAwait(false);
            if (Payload(secret) is not { } payload)
            {
                continue;
            }

            try
            {
                sources.Add((name, DockerConfigCredentials.Parse(payload.Bytes, $"image pull secret {ns}/{name} ({payload.Key})")));
            }
            catch (InvalidDataException e)
            {
                throw new GroupInputException(GroupConditions.Reasons.InvalidPullSecret,
                    $"{e.Message} Fix the Secret (type {secret!.Type}) or remove it from imagePullSecrets.", e);
            }

            digest.Append(name).Append('\n').Append(payload.Key).Append('\n').Append(Convert.ToBase64String(payload.Bytes)).Append('\n');
        }

        return sources.Count == 0
            ? None
            : new PullSecretCredentials(sources, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(digest.ToString()))));
    }

    /// <summary>The Docker config a Secret carries for the kubelet, or null when it carries none.</summary>
    public static (string Key, byte[] Bytes)? Payload(V1Secret? secret) => secret switch
    {
        { Type: DockerConfigJsonType, Data: { } data } when data.TryGetValue(DockerConfigJsonKey, out var json) && json is { Length: > 0 } => (DockerConfigJsonKey, json),
        { Type: DockerCfgType, Data: { } data } when data.TryGetValue(DockerCfgKey, out var cfg) && cfg is { Length: > 0 } => (DockerCfgKey, cfg),
        _ => null,
    };
}
