using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Parma.Testing.ApiServer;

/// <summary>
/// TEST-ONLY: a tiny HTTPS admission webhook on 127.0.0.1 whose answers a test supplies. The handler
/// gets the AdmissionReview's request and the path, and returns the whole AdmissionReview reply.
/// </summary>
public sealed class TestWebhookServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestWebhookServer(WebApplication app, Uri baseUri, string caBundle)
    {
        _app = app;
        BaseUri = baseUri;
        CaBundle = caBundle;
    }

    public Uri BaseUri { get; }

    /// <summary>base64 of the PEM CA certificate, as a webhook configuration's clientConfig.caBundle wants it.</summary>
    public string CaBundle { get; }

    public int Calls { get; private set; }

    public static async Task<TestWebhookServer> StartAsync(TestCertificateAuthority authority, Func<string, JsonObject, JsonObject> handler)
    {
        ArgumentNullException.ThrowIfNull(authority);
        var certificate = authority.IssueServerCertificate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        var app = builder.Build();
        TestWebhookServer? self = null;
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var review = JsonNode.Parse(await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false)) as JsonObject ?? [];
            self!.Calls++;
            var reply = handler(context.Request.Path.Value ?? "/", review["request"] as JsonObject ?? []);
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(reply.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
        });
        await app.StartAsync().ConfigureAwait(false);
        var port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        self = new TestWebhookServer(app, new Uri($"https://127.0.0.1:{port}"), Convert.ToBase64String(Encoding.UTF8.GetBytes(authority.CertificatePem)));
        return self;
    }

    /// <summary>An AdmissionReview reply: allowed or denied, with an optional JSONPatch.</summary>
    public static JsonObject Reply(JsonObject request, bool allowed, string? message = null, JsonArray? patch = null, int? code = null)
    {
        var response = new JsonObject { ["uid"] = request["uid"]?.DeepClone(), ["allowed"] = allowed };
        if (message is not null || code is not null)
        {
            response["status"] = new JsonObject { ["message"] = message, ["code"] = code };
        }

        if (patch is not null)
        {
            response["patchType"] = "JSONPatch";
            response["patch"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(patch.ToJsonString()));
        }

        return new JsonObject { ["apiVersion"] = "admission.k8s.io/v1", ["kind"] = "AdmissionReview", ["response"] = response };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
