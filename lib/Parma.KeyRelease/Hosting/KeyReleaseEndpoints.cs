using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Parma.Attestation.KeyRelease;

namespace Parma.KeyRelease.Hosting;

/// <summary>HTTP surface: POST /keys/{keyId}/release (health and metrics come from Parma.Hosting).</summary>
public static class KeyReleaseEndpoints
{
    public static WebApplication MapKeyRelease(this WebApplication app)
    {
        app.MapPost("/keys/{keyId}/release", async (string keyId, KeyReleaseRequest? request, KeyReleaseService service, CancellationToken cancellationToken) =>
        {
            if (request is null)
            {
                return Results.BadRequest(new KeyReleaseRefusal("BadRequest", "the request body is empty"));
            }

            var outcome = await service.ReleaseAsync(keyId, request, cancellationToken);
            return outcome.Status switch
            {
                KeyReleaseStatus.Released => Results.Ok(outcome.Response),
                KeyReleaseStatus.UnknownKey => Results.NotFound(outcome.Refusal),
                KeyReleaseStatus.BadRequest => Results.BadRequest(outcome.Refusal),
                KeyReleaseStatus.ReplayedPublicKey => Results.Conflict(outcome.Refusal),
                KeyReleaseStatus.Unavailable => Results.Json(outcome.Refusal, statusCode: StatusCodes.Status503ServiceUnavailable),
                _ => Results.Json(outcome.Refusal, statusCode: StatusCodes.Status403Forbidden),
            };
        });
        return app;
    }
}
