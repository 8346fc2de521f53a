using System.Security.Cryptography.X509Certificates;
using Parma.Kube.Client;
using Parma.Kube.Config;
using Parma.Kube.Errors;
using Parma.Kube.Models;

namespace Parma.Kube.Tests;

public sealed class ConfigurationTests(ApiServerFixture fixture) : IClassFixture<ApiServerFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("parma-kube-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Kubeconfig_with_a_client_certificate_authenticates_over_mutual_tls()
    {
        var config = KubeConfigLoader.LoadYaml(fixture.Server.Kubeconfig(certificateUser: "parma-admin", ns: "kube-system"));
        config.ClientCertificate.Should().NotBeNull();
        config.TokenProvider.Should().BeNull();
        config.Namespace.Should().Be("kube-system");
        using var client = new KubernetesClient(config);
        (await client.GetAsync<Namespace>("default")).Metadata.Name.Should().Be("default");
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

        using var good = new KubernetesClient(KubeConfigLoader.LoadFile(path, context: "good"));
        (await good.GetAsync<Namespace>("default")).Should().NotBeNull();

        using var bad = new KubernetesClient(KubeConfigLoader.LoadFile(path));
        var act = () => bad.GetAsync<Namespace>("default");
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
        using var client = new KubernetesClient(KubeConfigLoader.LoadYaml(yaml));
        (await client.GetAsync<Namespace>("default")).Should().NotBeNull();
        var info = await File.ReadAllTextAsync(Path.Combine(_dir, "exec-info.json"));
        info.Should().Contain("\"kind\":\"ExecCredential\"").And.Contain(fixture.Server.BaseUri.ToString().TrimEnd('/'));
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
        using var insecure = new KubernetesClient(KubeConfigLoader.LoadYaml(yaml));
        (await insecure.GetAsync<Namespace>("default")).Should().NotBeNull();

        using var otherCa = new Parma.Testing.ApiServer.TestCertificateAuthority("other");
        var strict = KubeConfigLoader.LoadYaml(fixture.Server.Kubeconfig());
        using var wrongTrust = new KubernetesClient(new KubeClientConfig
        {
            Server = strict.Server,
            CertificateAuthorities = [otherCa.Certificate],
            TokenProvider = strict.TokenProvider,
            Retry = RetryPolicy.None,
        });
        var act = () => wrongTrust.GetAsync<Namespace>("default");
        await act.Should().ThrowAsync<HttpRequestException>();
    }

    [Fact]
    public async Task In_cluster_config_reads_the_service_account_and_rereads_a_rotated_token()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "token"), "old-token");
        await File.WriteAllTextAsync(Path.Combine(_dir, "ca.crt"), fixture.Server.Authority.CertificatePem);
        await File.WriteAllTextAsync(Path.Combine(_dir, "namespace"), "parma-system\n");
        var env = new Dictionary<string, string?> { ["KUBERNETES_SERVICE_HOST"] = "127.0.0.1", ["KUBERNETES_SERVICE_PORT"] = fixture.Server.BaseUri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var config = InClusterConfig.Load(_dir, name => env.GetValueOrDefault(name));
        config.Namespace.Should().Be("parma-system");
        config.Server.Should().Be(new Uri($"https://127.0.0.1:{fixture.Server.BaseUri.Port}"));

        using var client = new KubernetesClient(config);
        var denied = () => client.GetAsync<Namespace>("default");
        (await denied.Should().ThrowAsync<KubeApiException>()).Which.Status.Reason.Should().Be("Unauthorized");

        // The kubelet rotates the projected token: the next request must use the new one.
        await File.WriteAllTextAsync(Path.Combine(_dir, "token"), fixture.Server.Token);
        File.SetLastWriteTimeUtc(Path.Combine(_dir, "token"), DateTime.UtcNow.AddSeconds(5));
        (await client.GetAsync<Namespace>("default")).Should().NotBeNull();
    }

    [Theory]
    [InlineData("current-context: missing\ncontexts: []\nclusters: []\nusers: []", "Context \"missing\" is not in the kubeconfig.")]
    [InlineData("contexts: []", "The kubeconfig has no current-context and no context was given.")]
    [InlineData("current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\nclusters: [{name: c, cluster: {server: ''}}]", "Cluster \"c\" has no valid server URL (got \"\").")]
    [InlineData("current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\nclusters: [{name: c, cluster: {server: 'https://a', certificate-authority-data: '!!'}}]", "certificate-authority-data is not valid base64.")]
    [InlineData("current-context: [", "The kubeconfig is not valid YAML")]
    public void Bad_kubeconfigs_name_what_is_wrong(string yaml, string message)
    {
        var act = () => KubeConfigLoader.LoadYaml(yaml);
        act.Should().Throw<KubeConfigException>().Which.Message.Should().StartWith(message);
    }

    [Fact]
    public void In_cluster_config_outside_a_cluster_says_so()
    {
        var act = () => InClusterConfig.Load(_dir, _ => null);
        act.Should().Throw<KubeConfigException>().WithMessage("Not running in a cluster*");
    }
}
