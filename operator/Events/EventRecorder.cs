using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Parma.Api;
using Parma.Kube.Errors;
using Parma.Kube.Resources;

namespace Parma.Operator.Events;

/// <summary>
/// Records core/v1 Events about groups. The same reason and message for the same object update one
/// Event (count, lastTimestamp) whose name is derived from them, so repeats, and a restarted operator,
/// do not flood the namespace. Recording never fails a reconcile.
/// </summary>
internal sealed class EventRecorder(IKubernetes client, string instance, ILogger<EventRecorder> logger, TimeProvider? time = null)
{
    public const string Component = "parma-operator";
    public const string Normal = "Normal";
    public const string Warning = "Warning";

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly ResourceClient<Corev1Event> _events = client.Resource<Corev1Event>();

    public async Task RecordAsync(ConfidentialPodGroup group, string type, string reason, string message, CancellationToken cancellationToken)
    {
        var ns = group.Metadata.NamespaceProperty ?? "default";
        var name = $"{group.Metadata.Name}.{Fingerprint(group.Metadata.Uid, type, reason, message)}";
        var now = _time.GetUtcNow().UtcDateTime;
        try
        {
            try
            {
                await _events.CreateAsync(new Corev1Event
                {
                    ApiVersion = "v1",
                    Kind = "Event",
                    Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns },
                    InvolvedObject = new V1ObjectReference
                    {
                        ApiVersion = ParmaApi.ApiVersion,
                        Kind = ParmaApi.Kind,
                        Name = group.Metadata.Name,
                        NamespaceProperty = ns,
                        Uid = group.Metadata.Uid,
                        ResourceVersion = group.Metadata.ResourceVersion,
                    },
                    Reason = reason,
                    Message = message,
                    Type = type,
                    Count = 1,
                    FirstTimestamp = now,
                    LastTimestamp = now,
                    Source = new V1EventSource { Component = Component },
                    ReportingComponent = Component,
                    ReportingInstance = instance,
                }, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (KubeAlreadyExistsException)
            {
                var existing = await _events.GetAsync(name, ns, cancellationToken).ConfigureAwait(false);
                var patch = new JsonObject
                {
                    ["count"] = (existing.Count ?? 1) + 1,
                    ["lastTimestamp"] = now.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                };
                await _events.PatchAsync(name, ns, KubePatch.Merge(patch), cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is KubeApiException or HttpRequestException or TimeoutException)
        {
            logger.LogWarning(e, "Could not record event {Reason} for {Namespace}/{Group}", reason, ns, group.Metadata.Name);
        }
    }

    private static string Fingerprint(string? uid, string type, string reason, string message) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{uid}\n{type}\n{reason}\n{message}")))[..16];
}
