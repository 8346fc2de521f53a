using System.Text;
using k8s;
using Parma.Testing.ApiServer;

namespace Parma.Testing.ApiServer.Tests;

/// <summary>The official C# client (KubernetesClient) configured from the test server's kubeconfig, as a component would load it.</summary>
public static class OfficialClient
{
    /// <param name="certificateUser">A client certificate for this user instead of the bearer token.</param>
    public static Kubernetes For(TestApiServer server, string? certificateUser = null)
    {
        using var kubeconfig = new MemoryStream(Encoding.UTF8.GetBytes(server.Kubeconfig(certificateUser)));
        return new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
    }
}
