using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Parma.Api;
using k8s;
using k8s.Models;
using Parma.Kube.Resources;
using Parma.Oci.Layers;
using Parma.Oci.Registry;
using Parma.Oci.Resolution;
using Parma.Policy;
using Parma.Policy.Generation;
using Parma.Policy.Input;
using Parma.Policy.Settings;
using Parma.Testing;
using Parma.Testing.ApiServer;
using Parma.Testing.Registry;

namespace Parma.Webhook.Tests;

/// <summary>
/// One test API server with the CRDs, a local registry holding examples/images' hello image, the real
/// webhook app (same flags as the Deployment) registered as mutating and validating webhook, and a
/// ConfidentialPodGroup demo/hello whose status and policy ConfigMap are written as the operator would.
/// </summary>
public sealed class WebhookFixture : IAsyncLifetime
{
    public const string GroupNamespace = "demo";
    public const string OtherNamespace = "other";
    public const string OptInNamespace = "optin";
    public const string GroupName = "hello";

    private readonly string _directory = Directory.CreateTempSubdirectory("parma-webhook-tests-").FullName;

    public TestApiServer Server { get; private set; } = null!;

    public LocalRegistry Registry { get; private set; } = null!;

    /// <summary>The same registry behind Bearer-token auth (user parma, password secret).</summary>
    public TokenAuthProxy PrivateRegistry { get; private set; } = null!;

    public WebApplication App { get; private set; } = null!;

    public IKubernetes Client { get; private set; } = null!;

    public HttpClient Https { get; private set; } = null!;

    public int Port { get; private set; }

    public int MetricsPort { get; private set; }

    public string CertificatePath => Path.Combine(_directory, "tls.crt");

    public string KeyPath => Path.Combine(_directory, "tls.key");

    public string HelloImage => $"{Registry.Host}/parma/hello:1.0";

    public string HelloPinned { get; private set; } = "";

    public GeneratedPolicy Policy { get; private set; } = null!;

    public PolicySettings PolicySettings { get; } = PolicySettingsLoader.Defaults();

    public string CaBundle => Convert.ToBase64String(Encoding.UTF8.GetBytes(Server.Authority.CertificatePem));

    public static readonly JsonObject SettingsNodeSelector = new() { ["parma.dev/snp"] = "true" };

    public async Task InitializeAsync()
    {
        Server = await TestApiServer.StartAsync(new TestApiServerOptions { InitialNamespaces = ["default", "kube-system", GroupNamespace, OtherNamespace] });
        Registry = await LocalRegistry.StartAsync();
        var digest = await Registry.PushAsync(RepoPaths.InRepo("examples", "images"), "registry.example/parma/hello:1.0", "parma/hello", "1.0");
        HelloPinned = $"{Registry.Host}/parma/hello@{digest}";
        PrivateRegistry = TokenAuthProxy.Start(Registry, "parma", "secret");

        WriteCertificate(Server.Authority.IssueServerCertificate());
        var settingsPath = Path.Combine(_directory, "settings.json");
        await File.WriteAllTextAsync(settingsPath, new JsonObject
        {
            // runtimeClassName and allowedRuntimeClasses omitted on purpose: their defaults apply.
            ["insecureRegistries"] = new JsonArray(Registry.Host, PrivateRegistry.Host),
            ["nodeSelector"] = SettingsNodeSelector.DeepClone(),
            ["tolerations"] = new JsonArray(new JsonObject { ["key"] = "parma.dev/snp", ["operator"] = "Exists", ["effect"] = "NoSchedule" }),
        }.ToJsonString());
        var kubeconfig = Path.Combine(_directory, "kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, Server.Kubeconfig());
        Client = Parma.Kube.Client.KubeClients.Create(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));

        App = WebhookApp.Build([
            "--tls-cert", CertificatePath, "--tls-key", KeyPath, "--port", "0", "--metrics-port", "0",
            "--settings", settingsPath, "--kubeconfig", kubeconfig, "--layer-cache", Path.Combine(_directory, "layers"),
            "--image-layout", RepoPaths.InRepo("examples", "images"), "--cert-poll-interval", "0.2",
        ]);
        await App.StartAsync();
        var addresses = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();
        Port = addresses.Single(a => a.Scheme == "https").Port;
        MetricsPort = addresses.Single(a => a.Scheme == "http").Port;
        Https = TrustingClient(Server.Authority.Certificate);

        await Server.CreateManifestsAsync(File.ReadAllText(RepoPaths.InRepo("crds", "parma.dev_confidentialpodgroups.yaml")));
        await Server.CreateManifestsAsync(WebhookConfigurations());
        await Server.CreateManifestsAsync($"""
            apiVersion: v1
            kind: Namespace
            metadata:
              name: {OptInNamespace}
              labels:
                {ParmaLabels.NamespaceEnabled}: "true"
            """);
        await WaitUntilAsync(async () => (await Https.GetAsync(new Uri($"https://127.0.0.1:{Port}/readyz"))).IsSuccessStatusCode, "the webhook is ready");
        await CreateGroupAsync();
    }

    public Uri Url(string path) => new($"https://127.0.0.1:{Port}{path}");

    /// <summary>The group's pod as the operator builds it: pinned image, labels, annotations, RuntimeClass, node pool.</summary>
    public JsonObject OperatorPod(string? name = null)
    {
        var pod = UserPod(name ?? $"{GroupName}-{Policy.HostDataHex[..10]}-bcdfg");
        pod["metadata"]!["labels"]![ParmaLabels.PolicyHash] = ParmaLabels.ShortHash(Policy.HostDataHex);
        pod["metadata"]!["annotations"] = new JsonObject
        {
            [Policy.Annotations.Key] = Policy.Annotations.Value,
            [ParmaLabels.HostDataAnnotation] = Policy.HostDataHex,
        };
        var spec = pod["spec"]!.AsObject();
        spec["runtimeClassName"] = "kata-qemu-snp";
        spec["nodeSelector"] = new JsonObject { ["parma.dev/snp"] = "true", ["pool"] = "snp" };
        spec["tolerations"] = new JsonArray(
            new JsonObject { ["key"] = "parma.dev/snp", ["operator"] = "Exists", ["effect"] = "NoSchedule" },
            new JsonObject { ["key"] = "dedicated", ["operator"] = "Equal", ["value"] = "snp", ["effect"] = "NoExecute" });
        return pod;
    }

    /// <summary>A pod that names the group but carries nothing else (the webhook must stamp it).</summary>
    public JsonObject UserPod(string name, string ns = GroupNamespace) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Pod",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = ns,
            ["labels"] = new JsonObject { ["app"] = "hello", [ParmaLabels.Group] = GroupName },
        },
        ["spec"] = new JsonObject
        {
            ["containers"] = new JsonArray(new JsonObject
            {
                ["name"] = "hello",
                ["image"] = HelloPinned,
                ["command"] = new JsonArray("/app/hello.sh"),
                ["env"] = new JsonArray(new JsonObject { ["name"] = "GREETING", ["value"] = "bonjour" }),
            }),
        },
    };

    /// <summary>POSTs an AdmissionReview for a pod create straight to the webhook.</summary>
    public async Task<JsonObject> ReviewAsync(string path, JsonObject obj, string ns, string operation = "CREATE", JsonObject? oldObject = null, JsonObject? kind = null)
    {
        var review = AdmissionReview(obj, ns, operation, oldObject, kind);
        using var response = await Https.PostAsync(Url(path), new StringContent(review.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        var answer = JsonNode.Parse(text)!.AsObject();
        answer["response"]!["uid"]!.GetValue<string>().Should().Be(review["request"]!["uid"]!.GetValue<string>());
        return answer["response"]!.AsObject();
    }

    public static JsonObject AdmissionReview(JsonObject obj, string ns, string operation = "CREATE", JsonObject? oldObject = null, JsonObject? kind = null) => new()
    {
        ["apiVersion"] = "admission.k8s.io/v1",
        ["kind"] = "AdmissionReview",
        ["request"] = new JsonObject
        {
            ["uid"] = Guid.NewGuid().ToString(),
            ["kind"] = kind ?? new JsonObject { ["group"] = "", ["version"] = "v1", ["kind"] = "Pod" },
            ["resource"] = new JsonObject { ["group"] = "", ["version"] = "v1", ["resource"] = "pods" },
            ["namespace"] = ns,
            ["name"] = obj["metadata"]?["name"]?.DeepClone(),
            ["operation"] = operation,
            ["userInfo"] = new JsonObject { ["username"] = "tester" },
            ["object"] = obj.DeepClone(),
            ["oldObject"] = oldObject?.DeepClone(),
            ["dryRun"] = false,
        },
    };

    public async Task<JsonObject> CreatePodAsync(JsonObject pod)
    {
        var created = await Server.CreateManifestsAsync(pod.ToJsonString(), pod["metadata"]!["namespace"]!.GetValue<string>());
        return created.Single();
    }

    public void WriteCertificate(X509Certificate2 certificate)
    {
        // Write to temporary names and rename, as a Secret volume update swaps files.
        File.WriteAllText(KeyPath + ".new", certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(CertificatePath + ".new", certificate.ExportCertificatePem());
        File.Move(KeyPath + ".new", KeyPath, overwrite: true);
        File.Move(CertificatePath + ".new", CertificatePath, overwrite: true);
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, double seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting until {what}");
            }

            await Task.Delay(100);
        }
    }

    public static HttpClient TrustingClient(X509Certificate2 authority, Action<X509Certificate2>? seen = null) => new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.Zero,
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                if (certificate is null)
                {
                    return false;
                }

                var server = new X509Certificate2(certificate);
                seen?.Invoke(server);
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                chain.ChainPolicy.CustomTrustStore.Add(authority);
                return chain.Build(server);
            },
        },
    });

    public async Task DisposeAsync()
    {
        Https?.Dispose();
        Client?.Dispose();
        if (App is not null)
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }

        if (PrivateRegistry is not null)
        {
            await PrivateRegistry.DisposeAsync();
        }

        if (Registry is not null)
        {
            await Registry.DisposeAsync();
        }

        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        Directory.Delete(_directory, recursive: true);
    }

    private string WebhookConfigurations()
    {
        JsonObject Hook(string name, string path, string group, string resource, params string[] operations) => new()
        {
            ["name"] = name,
            ["clientConfig"] = new JsonObject { ["url"] = Url(path).ToString(), ["caBundle"] = CaBundle },
            ["rules"] = new JsonArray(new JsonObject
            {
                ["operations"] = new JsonArray([.. operations.Select(o => (JsonNode)o)]),
                ["apiGroups"] = new JsonArray(group),
                ["apiVersions"] = new JsonArray(group == "" ? "v1" : ParmaApi.Version),
                ["resources"] = new JsonArray(resource),
                ["scope"] = "Namespaced",
            }),
            ["failurePolicy"] = "Fail",
            ["sideEffects"] = "None",
            ["admissionReviewVersions"] = new JsonArray("v1"),
            ["timeoutSeconds"] = 10,
        };
        var mutating = new JsonObject
        {
            ["apiVersion"] = "admissionregistration.k8s.io/v1",
            ["kind"] = "MutatingWebhookConfiguration",
            ["metadata"] = new JsonObject { ["name"] = "parma-webhook" },
            ["webhooks"] = new JsonArray(Hook("stamp.pods.parma.dev", "/mutate/pods", "", "pods", "CREATE", "UPDATE")),
        };
        var validating = new JsonObject
        {
            ["apiVersion"] = "admissionregistration.k8s.io/v1",
            ["kind"] = "ValidatingWebhookConfiguration",
            ["metadata"] = new JsonObject { ["name"] = "parma-webhook" },
            ["webhooks"] = new JsonArray(
                Hook("check.pods.parma.dev", "/validate/pods", "", "pods", "CREATE", "UPDATE"),
                Hook("check.confidentialpodgroups.parma.dev", "/validate/confidentialpodgroups", ParmaApi.Group, ParmaApi.Plural, "CREATE", "UPDATE")),
        };
        return mutating.ToJsonString() + "\n---\n" + validating.ToJsonString();
    }

    private async Task CreateGroupAsync()
    {
        var yaml = $"""
            apiVersion: parma.dev/v1alpha1
            kind: ConfidentialPodGroup
            metadata:
              name: {GroupName}
              namespace: {GroupNamespace}
            spec:
              replicas: 1
              runtimeClassName: kata-qemu-snp
              nodeSelector:
                pool: snp
              tolerations:
                - key: dedicated
                  operator: Equal
                  value: snp
                  effect: NoExecute
              policy:
                format: agent-policy
              template:
                metadata:
                  labels:
                    app: hello
                spec:
                  containers:
                    - name: hello
                      image: {HelloImage}
                      command: ["/app/hello.sh"]
                      env:
                        - name: GREETING
                          value: bonjour
            """;
        var manifests = ManifestSet.Parse(yaml, "group.yaml");
        var resolver = new ImageResolver(new RegistryClientOptions { InsecureRegistries = [Registry.Host] }, new LayerCache(Path.Combine(_directory, "test-layers")));
        var images = new ResolvingImageFactsSource(resolver, [RepoPaths.InRepo("examples", "images")]);
        var plan = await new PolicyPipeline(PolicySettings, images).PlanAsync(manifests.Workloads.Single(), manifests, new GroupPolicyOptions());
        Policy = new PolicyGenerator(PolicySettings, images).Render(plan);
        resolver.Dispose();

        await Server.CreateManifestsAsync(yaml);
        var group = await Client.GetAsync<ConfidentialPodGroup>(GroupName, GroupNamespace);
        await Client.CreateAsync(new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = new V1ObjectMeta
            {
                Name = $"{GroupName}-policy",
                NamespaceProperty = GroupNamespace,
                Labels = new Dictionary<string, string> { [ParmaLabels.Group] = GroupName, [ParmaLabels.ManagedBy] = ParmaLabels.ManagedByValue },
            },
            Data = new Dictionary<string, string> { ["policy.rego"] = Policy.PolicyText, ["host-data"] = Policy.HostDataHex },
        });
        group.Status = new ConfidentialPodGroupStatus
        {
            ObservedGeneration = group.Metadata.Generation,
            HostData = Policy.HostDataHex,
            PolicyHash = ParmaLabels.ShortHash(Policy.HostDataHex),
            PolicyRef = new PolicyReference { Name = $"{GroupName}-policy", Key = "policy.rego", Format = GroupPolicySpec.AgentPolicyFormat },
            Images = [new ImageStatus { Reference = HelloImage, Digest = HelloPinned.Split('@')[1], Pinned = HelloPinned }],
        };
        await Client.ReplaceStatusAsync(group);
    }

    public static string Json(JsonNode node) => node.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
}

[CollectionDefinition(Name)]
public sealed class WebhookCollection : ICollectionFixture<WebhookFixture>
{
    public const string Name = "webhook";
}
