using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s;
using k8s.Authentication;
using k8s.Exceptions;
using k8s.Models;
using Parma.Kube.Client;
using Parma.Kube.Errors;
using Parma.Kube.Resources;

namespace Parma.Kube.Tests;

/// <summary>
/// Configuration is the official client's (KubernetesClientConfiguration): what the operator, webhook and
/// CLI rely on from it, against the test API server.
/// </summary>
public sealed class ConfigurationTests(ApiServerFixture fixture) : IClassFixture<ApiServerFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("parma-kube-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Kubeconfig_with_a_client_certificate_authenticates_over_mutual_tls()
    {
        var config = FromYaml(fixture.Server.Kubeconfig(certificateUser: "parma-admin", ns: "kube-system"));
        config.ClientCertificateData.Should().NotBeNull();
        config.TokenProvider.Should().BeNull();
        config.AccessToken.Should().BeNull();
        config.Namespace.Should().Be("kube-system");
        using var client = KubeClients.Create(config);
        (await client.GetAsync<V1Namespace>("default")).Metadata.Name.Should().Be("default");
    }

    [Fact]
    public async Task Files_for_ca_certificate_and_key_resolve_relative_to_the_kubeconfig()
    {
        using var certificate = fixture.Server.Authority.IssueClientCertificate("file-user");
        await File.WriteAllTextAsync(Path.Combine(_dir, "ca.crt"), fixture.Server.Authority.CertificatePem);
        await File.WriteAllTextAsync(Path.Combine(_dir, "client.crt"), certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(Path.Combine(_dir, "client.key"), certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        var path = Path.Combine(_dir, "config");
        await File.WriteAllTextAsync(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster: {"{"}server: "{fixture.Server.BaseUri}", certificate-authority: ca.crt{"}"}
            users:
            - name: u
              user: {"{"}client-certificate: client.crt, client-key: client.key{"}"}
            - name: other
              user: {"{"}token: wrong{"}"}
            contexts:
            - name: good
              context: {"{"}cluster: c, user: u{"}"}
            - name: bad
              context: {"{"}cluster: c, user: other{"}"}
            current-context: bad
            """);

        using var good = KubeClients.Create(KubernetesClientConfiguration.BuildConfigFromConfigFile(path, currentContext: "good"));
        (await good.GetAsync<V1Namespace>("default")).Should().NotBeNull();

        using var bad = KubeClients.Create(KubeClients.LoadConfiguration(path));
        var act = () => bad.GetAsync<V1Namespace>("default");
        (await act.Should().ThrowAsync<KubeApiException>()).Which.Status.Reason.Should().Be("Unauthorized");
    }

    [Fact]
    public async Task Exec_credential_plugins_supply_the_token()
    {
        var plugin = Path.Combine(_dir, "plugin.sh");
        await File.WriteAllTextAsync(plugin, $$$"""
            #!/bin/sh
            echo "$KUBERNETES_EXEC_INFO" > "{{{_dir}}}/exec-info.json"
            echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"{{{fixture.Server.Token}}}"}}'
            """);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(plugin, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.UserWrite);
        }
        var ca = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(fixture.Server.Authority.CertificatePem));
        var yaml = $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster:
                server: {fixture.Server.BaseUri}
                certificate-authority-data: {ca}
            users:
            - name: u
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: {plugin}
                  interactiveMode: Never
                  provideClusterInfo: true
            contexts:
            - name: x
              context: {"{"}cluster: c, user: u{"}"}
            current-context: x
            """;
        using var client = KubeClients.Create(FromYaml(yaml));
        (await client.GetAsync<V1Namespace>("default")).Should().NotBeNull();
        var info = await File.ReadAllTextAsync(Path.Combine(_dir, "exec-info.json"));
        // The library passes the ExecCredential spec but not the cluster (provideClusterInfo is not implemented in 21.0.8).
        info.Should().Contain("\"kind\":\"ExecCredential").And.Contain("client.authentication.k8s.io/v1");
    }

    [Fact]
    public async Task Insecure_skip_tls_verify_connects_without_a_ca_and_a_wrong_ca_is_refused()
    {
        var yaml = $$"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster: {server: "{{fixture.Server.BaseUri}}", insecure-skip-tls-verify: true}
            users:
            - name: u
              user: {token: {{fixture.Server.Token}}}
            contexts:
            - name: x
              context: {cluster: c, user: u}
            current-context: x
            """;
        using var insecure = KubeClients.Create(FromYaml(yaml));
        (await insecure.GetAsync<V1Namespace>("default")).Should().NotBeNull();

        using var otherCa = new Parma.Testing.ApiServer.TestCertificateAuthority("other");
        var strict = FromYaml(fixture.Server.Kubeconfig());
        strict.SslCaCerts = [otherCa.Certificate];
        using var wrongTrust = KubeClients.Create(strict, KubeRetryOptions.None);
        var act = () => wrongTrust.GetAsync<V1Namespace>("default");
        await act.Should().ThrowAsync<HttpRequestException>();
    }

    [Fact]
    public async Task The_in_cluster_token_provider_reads_the_service_account_token_file()
    {
        // KubernetesClientConfiguration.InClusterConfig() reads /var/run/secrets/kubernetes.io/serviceaccount with a
        // TokenFileAuth over its token file (re-read at most a minute after the last read, as the kubelet rotates it).
        var tokenFile = Path.Combine(_dir, "token");
        await File.WriteAllTextAsync(tokenFile, "old-token\n");
        var config = FromYaml(fixture.Server.Kubeconfig());
        config.AccessToken = null;
        config.TokenProvider = new TokenFileAuth(tokenFile);
        using var denied = KubeClients.Create(config);
        var act = () => denied.GetAsync<V1Namespace>("default");
        (await act.Should().ThrowAsync<KubeApiException>()).Which.Status.Reason.Should().Be("Unauthorized");

        await File.WriteAllTextAsync(tokenFile, fixture.Server.Token + "\n");
        config.TokenProvider = new TokenFileAuth(tokenFile);
        using var allowed = KubeClients.Create(config);
        (await allowed.GetAsync<V1Namespace>("default")).Should().NotBeNull();
    }

    [Theory]
    [InlineData("current-context: missing\ncontexts: []\nclusters: []\nusers: []", "missing")]
    [InlineData("current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\nclusters: [{name: c, cluster: {server: ''}}]", "Server not found")]
    [InlineData("current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\nclusters: [{name: c, cluster: {server: 'https://a', certificate-authority-data: '!!'}}]", "Base-64")]
    [InlineData("current-context: [", "did not find expected node content")]
    public void Bad_kubeconfigs_are_refused(string yaml, string mentions)
    {
        var act = () => FromYaml(yaml);
        act.Should().Throw<Exception>().Which.Message.Should().Contain(mentions);
    }

    [Fact]
    public void In_cluster_config_outside_a_cluster_says_so()
    {
        KubernetesClientConfiguration.IsInCluster().Should().BeFalse();
        var act = () => KubernetesClientConfiguration.InClusterConfig();
        act.Should().Throw<KubeConfigException>().WithMessage("Unable to load in-cluster configuration*");
    }

    private static KubernetesClientConfiguration FromYaml(string yaml)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(yaml));
        return KubernetesClientConfiguration.BuildConfigFromConfigFile(stream);
    }
}
