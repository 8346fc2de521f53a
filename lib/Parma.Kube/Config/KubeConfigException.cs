namespace Parma.Kube.Config;

/// <summary>The client configuration (kubeconfig, in-cluster files, exec plugin) is missing or wrong.</summary>
public sealed class KubeConfigException : Exception
{
    public KubeConfigException(string message)
        : base(message)
    {
    }

    public KubeConfigException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
