using k8s;

namespace Parma.Kube.Client;

/// <summary>Builds the official client the way every Parma host uses it: configuration from a kubeconfig or the pod, retries in its pipeline.</summary>
public static class KubeClients
{
    /// <summary>
    /// <paramref name="kubeconfigPath"/>'s current context; without one, the library's default:
    /// $KUBECONFIG, then ~/.kube/config, then the pod's service account (in cluster).
    /// </summary>
    /// <exception cref="k8s.Exceptions.KubeConfigException">No usable configuration.</exception>
    public static KubernetesClientConfiguration LoadConfiguration(string? kubeconfigPath = null) =>
        kubeconfigPath is null
            ? KubernetesClientConfiguration.BuildDefaultConfig()
            : KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfigPath);

    /// <summary>A client for <paramref name="configuration"/> whose idempotent calls are retried (<see cref="RetryHandler"/>).</summary>
    public static IKubernetes Create(KubernetesClientConfiguration configuration, KubeRetryOptions? retry = null, params DelegatingHandler[] handlers)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new Kubernetes(configuration, [new RetryHandler(retry ?? new KubeRetryOptions()), .. handlers]);
    }
}
