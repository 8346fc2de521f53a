using System.Text;

namespace Parma.Testing.ApiServer;

/// <summary>A kubeconfig naming an API server that never answers (a closed loopback port), for hosts whose caches must stay unsynced.</summary>
public static class UnreachableApiServer
{
    public static string Kubeconfig(TestCertificateAuthority authority)
    {
        ArgumentNullException.ThrowIfNull(authority);
        var ca = Convert.ToBase64String(Encoding.UTF8.GetBytes(authority.CertificatePem));
        return $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: unreachable
              cluster:
                server: https://127.0.0.1:1
                certificate-authority-data: {ca}
            users:
            - name: nobody
              user:
                token: unused
            contexts:
            - name: unreachable
              context:
                cluster: unreachable
                user: nobody
                namespace: default
            current-context: unreachable

            """;
    }
}
