using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Parma.Attestation.KeyRelease;
using Parma.Attestation.Verification;
using Parma.Hosting;

namespace Parma.KeyRelease;

/// <summary>Builds the key-release web application from explicit parts (tests) or a configuration file (Program).</summary>
public static class KeyReleaseHost
{
    public static WebApplication Build(
        string[] args,
        IReadOnlyDictionary<string, ReleasableSecret> secrets,
        SnpReportVerifier verifier,
        IHostDataSource? hostDataSource = null,
        IReplayGuard? replayGuard = null,
        Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.AddParmaOperations("parma-key-release");
        builder.Services.AddSingleton(secrets);
        builder.Services.AddSingleton(verifier);
        builder.Services.AddSingleton(replayGuard ?? new InMemoryReplayGuard());
        if (hostDataSource is not null)
        {
            builder.Services.AddSingleton(hostDataSource);
        }

        builder.Services.AddSingleton(provider => new KeyReleaseService(
            provider.GetRequiredService<IReadOnlyDictionary<string, ReleasableSecret>>(),
            provider.GetRequiredService<SnpReportVerifier>(),
            provider.GetRequiredService<IReplayGuard>(),
            provider.GetRequiredService<ILogger<KeyReleaseService>>(),
            provider.GetService<IHostDataSource>()));
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
