using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Parma.Kube.Errors;

/// <summary>
/// Turns the official client's failures into <see cref="KubeApiException"/> subtypes: an
/// <see cref="HttpOperationException"/> (any non-2xx answer, with the Status body as text), a
/// <see cref="KubernetesException"/> (a watch's ERROR event), and the client's own timeout (its
/// HttpClientTimeout cancels the call) into a <see cref="TimeoutException"/>.
/// </summary>
public static class KubeErrors
{
    /// <summary>Awaits <paramref name="call"/>, translating its failure.</summary>
    public static async Task<T> Checked<T>(this Task<T> call, CancellationToken cancellationToken = default)
    {
        try
        {
            return await call.ConfigureAwait(false);
        }
        catch (Exception e) when (Translate(e, cancellationToken) is { } translated)
        {
            throw translated;
        }
    }

    /// <inheritdoc cref="Checked{T}(Task{T}, CancellationToken)"/>
    public static async Task Checked(this Task call, CancellationToken cancellationToken = default)
    {
        try
        {
            await call.ConfigureAwait(false);
        }
        catch (Exception e) when (Translate(e, cancellationToken) is { } translated)
        {
            throw translated;
        }
    }

    /// <summary>Like <see cref="Checked{T}(Task{T}, CancellationToken)"/>, but null when the object does not exist.</summary>
    public static async Task<T?> OrNullIfNotFound<T>(this Task<T> call, CancellationToken cancellationToken = default)
        where T : class
    {
        try
        {
            return await call.Checked(cancellationToken).ConfigureAwait(false);
        }
        catch (KubeNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The typed error for <paramref name="e"/>, or null when it is not an API failure (leave it as it is).</summary>
    public static Exception? Translate(Exception e, CancellationToken cancellationToken = default) => e switch
    {
        HttpOperationException http => FromHttp(http),
        KubernetesException { Status: { } status } k => KubeApiException.From((HttpStatusCode)(status.Code ?? 500), status, k),
        OperationCanceledException when !cancellationToken.IsCancellationRequested =>
            new TimeoutException("The Kubernetes API call did not complete within the client's timeout.", e),
        _ => null,
    };

    private static KubeApiException FromHttp(HttpOperationException e)
    {
        var code = e.Response?.StatusCode ?? HttpStatusCode.InternalServerError;
        return KubeApiException.From(code, ParseStatus(e.Response?.Content, code), e);
    }

    /// <summary>The Status in an error body; a non-Status body (a proxy's page, plain text) is described as one.</summary>
    public static V1Status ParseStatus(string? text, HttpStatusCode code)
    {
        if (!string.IsNullOrEmpty(text))
        {
            try
            {
                if (KubernetesJson.Deserialize<V1Status>(text) is { Kind: "Status" } status)
                {
                    return status;
                }
            }
            catch (JsonException)
            {
                // Described below.
            }
        }

        text ??= "";
        return new V1Status
        {
            Kind = "Status",
            ApiVersion = "v1",
            Status = "Failure",
            Code = (int)code,
            Reason = code.ToString(),
            Message = text.Length > 512 ? text[..512] : text,
        };
    }
}
