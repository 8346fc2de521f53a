using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Parma.Attestation.KeyRelease;
using Parma.Hosting;

namespace Parma.KeyRelease.Hosting;

/// <summary>
/// Builds the key-release web application around a <see cref="KeyCatalogSlot"/>. The one place that owns the host:
/// <see cref="KeyReleaseServer"/> (the container image and <c>parma key-release serve</c>) and the tests build it here.
/// </summary>
public static class KeyReleaseHost
{
    public const string ServiceName = "parma-key-release";

    public static WebApplication Build(
        KeyCatalogSlot catalogs,
        string? urls = null,
        IReplayGuard? replayGuard = null,
        Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        // https:// URLs take their certificate from the Kestrel configuration (e.g. ASPNETCORE_Kestrel__Certificates__Default__Path).
        builder.WebHost.UseKestrelHttpsConfiguration();
        if (urls is not null)
        {
            builder.WebHost.UseUrls(urls);
        }

        builder.AddParmaOperations(ServiceName);
        builder.Services.AddSingleton(catalogs);
        builder.Services.AddSingleton(replayGuard ?? new InMemoryReplayGuard());
        builder.Services.AddSingleton<KeyReleaseService>();
        builder.Services.AddReadinessCheck<KeyCatalogSlot>("configuration", slot => slot.IsAvailable, "the last configuration reload failed; nothing is released");
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseExceptionHandler(error => error.Run(async context =>
        {
            var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            var badInput = exception is BadHttpRequestException or JsonException;
            context.Response.StatusCode = badInput ? StatusCodes.Status400BadRequest : StatusCodes.Status500InternalServerError;
            await context.Response.WriteAsJsonAsync(new KeyReleaseRefusal(
                badInput ? "BadRequest" : "InternalError",
                badInput ? $"the request body is not a key-release request: {exception?.Message}" : "the service failed; see its log"));
        }));
        app.MapKeyRelease();
        app.MapParmaOperations();
        return app;
    }
}
