using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Parma.Testing.ApiServer.Faults;
using Parma.Testing.ApiServer.Http;
using Parma.Testing.ApiServer.Resources;
using Parma.Testing.ApiServer.Storage;
using Parma.Testing.ApiServer.Validation;

namespace Parma.Testing.ApiServer;

/// <summary>
/// TEST-ONLY: an in-process HTTPS server on 127.0.0.1 that behaves like kube-apiserver for the
/// resources Parma uses. Start one per test class; dispose it at the end.
/// </summary>
public sealed class TestApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ServerState _state;

    private TestApiServer(WebApplication app, ServerState state, TestCertificateAuthority authority, Uri baseUri)
    {
        _app = app;
        _state = state;
        Authority = authority;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    /// <summary>The CA that signed the server's certificate; it also issues client certificates the server accepts.</summary>
    public TestCertificateAuthority Authority { get; }

    public string Token => _state.Options.Token;

    public ObjectStore Store => _state.Store;

    public FaultInjector Faults => _state.Faults;

    public IReadOnlyCollection<string> RequestLog => _state.RequestLog;

    public static async Task<TestApiServer> StartAsync(TestApiServerOptions? options = null)
    {
        options ??= new TestApiServerOptions();
        OpenApiDocuments? documents = null;
        if (options.ValidateSchemas)
        {
            var root = options.OpenApiDirectory ?? Path.Combine(SharedFolder(), "k8s-openapi");
            documents = OpenApiDocuments.Load(Path.Combine(root, options.KubernetesVersion));
        }

        var state = new ServerState(options, new ResourceCatalog(documents)) { Documents = documents };
        var authority = new TestCertificateAuthority();
        var serverCertificate = authority.IssueServerCertificate();

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(https =>
            {
                https.ServerCertificate = serverCertificate;
                https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                // Checked per request against the test CA (a bearer token works without a certificate).
                https.ClientCertificateValidation = (_, _, _) => true;
            }));
        });
        var app = builder.Build();
        var dispatcher = new RequestDispatcher(state, authority.Certificate);
        app.Run(dispatcher.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        var server = new TestApiServer(app, state, authority, new Uri($"https://127.0.0.1:{port}"));
        server.SeedNamespaces();
        return server;
    }

    /// <summary>Forget the watch history: resuming from any earlier resourceVersion now answers 410 Gone.</summary>
    public void Compact() => _state.Store.Compact();

    /// <summary>Abort every open watch connection (the client sees the stream end abruptly).</summary>
    public int DropWatchConnections()
    {
        var open = _state.OpenWatches.Keys.ToList();
        var aborted = 0;
        foreach (var context in open)
        {
            try
            {
                context.Abort();
                aborted++;
            }
            catch (ObjectDisposedException)
            {
                // The watch ended on its own between the snapshot and the abort.
            }
        }

        return aborted;
    }

    /// <summary>`kubectl create -f`: every document of <paramref name="yaml"/>, through validation and admission.</summary>
    public async Task<IReadOnlyList<System.Text.Json.Nodes.JsonObject>> CreateManifestsAsync(
        string yaml, string defaultNamespace = "default", bool replaceExisting = false, CancellationToken cancellationToken = default)
    {
        using var applier = new ManifestApplier(BaseUri, Authority.Certificate, Token, _state.Catalog);
        return await applier.CreateAllAsync(yaml, defaultNamespace, replaceExisting, cancellationToken);
    }

    /// <summary>Number of watch connections currently open.</summary>
    public int OpenWatchCount => _state.OpenWatches.Count;

    /// <summary>A kubeconfig for this server: bearer token by default, or a client certificate for <paramref name="certificateUser"/>.</summary>
    public string Kubeconfig(string? certificateUser = null, string ns = "default")
    {
        var ca = Convert.ToBase64String(Encoding.UTF8.GetBytes(Authority.CertificatePem));
        string user;
        if (certificateUser is null)
        {
            user = $"    token: {Token}";
        }
        else
        {
            using var certificate = Authority.IssueClientCertificate(certificateUser, "system:masters");
            var certPem = Convert.ToBase64String(Encoding.UTF8.GetBytes(certificate.ExportCertificatePem()));
            var keyPem = Convert.ToBase64String(Encoding.UTF8.GetBytes(certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem()));
            user = $"    client-certificate-data: {certPem}\n    client-key-data: {keyPem}";
        }

        return $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: parma-test
              cluster:
                server: {BaseUri.ToString().TrimEnd('/')}
                certificate-authority-data: {ca}
            users:
            - name: parma-test-user
              user:
            {user}
            contexts:
            - name: parma-test
              context:
                cluster: parma-test
                user: parma-test-user
                namespace: {ns}
            current-context: parma-test

            """;
    }

    public async ValueTask DisposeAsync()
    {
        DropWatchConnections();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _state.Admission.Dispose();
        Authority.Dispose();
    }

    private void SeedNamespaces()
    {
        var namespaces = _state.Catalog.Find("", "v1", "namespaces")!;
        foreach (var name in _state.Options.InitialNamespaces)
        {
            _state.Store.TryCreate(namespaces, new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Namespace",
                ["metadata"] = new JsonObject
                {
                    ["name"] = name,
                    ["uid"] = Guid.NewGuid().ToString(),
                    ["creationTimestamp"] = ObjectFields.Now(),
                    ["labels"] = new JsonObject { ["kubernetes.io/metadata.name"] = name },
                },
                ["spec"] = new JsonObject { ["finalizers"] = new JsonArray("kubernetes") },
                ["status"] = new JsonObject { ["phase"] = "Active" },
            });
        }
    }

    private static string SharedFolder()
    {
        var fromEnv = Environment.GetEnvironmentVariable("PARMA_SHARED");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return fromEnv;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ParmaOperator.sln")))
            {
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared"));
            }
        }

        throw new DirectoryNotFoundException("ParmaOperator.sln not found above the test binaries; set PARMA_SHARED.");
    }

}
