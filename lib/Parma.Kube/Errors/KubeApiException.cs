using System.Net;
using k8s.Models;

namespace Parma.Kube.Errors;

/// <summary>
/// The API server answered with an error; <see cref="Status"/> is its meta/v1 Status body. Raised by
/// <see cref="KubeErrors"/> from the official client's <c>HttpOperationException</c> (and from a watch's
/// ERROR event), so that callers catch what happened (not found, conflict, gone…) instead of reading codes.
/// </summary>
public class KubeApiException : Exception
{
    public KubeApiException(HttpStatusCode statusCode, V1Status status, Exception? inner = null)
        : base(Describe(statusCode, status), inner)
    {
        StatusCode = statusCode;
        Status = status;
    }

    public HttpStatusCode StatusCode { get; }

    public V1Status Status { get; }

    /// <summary>NotFound, AlreadyExists, Conflict, Invalid, Expired, TooManyRequests, …</summary>
    public string? Reason => Status.Reason;

    /// <summary>The error of the right subtype for a status code and body.</summary>
    public static KubeApiException From(HttpStatusCode statusCode, V1Status status, Exception? inner = null) =>
        (int)statusCode switch
        {
            404 => new KubeNotFoundException(status, inner),
            409 when status.Reason == "AlreadyExists" => new KubeAlreadyExistsException(status, inner),
            409 => new KubeConflictException(status, inner),
            410 => new KubeGoneException(status, inner),
            422 => new KubeInvalidException(status, inner),
            429 => new KubeTooManyRequestsException(status, inner),
            _ => new KubeApiException(statusCode, status, inner),
        };

    private static string Describe(HttpStatusCode code, V1Status status) =>
        $"{(int)code} {status.Reason ?? code.ToString()}: {status.Message ?? "(no message)"}";
}

public sealed class KubeNotFoundException(V1Status status, Exception? inner = null)
    : KubeApiException(HttpStatusCode.NotFound, status, inner);

/// <summary>409 because the object changed since it was read (stale resourceVersion) or an apply conflict.</summary>
public sealed class KubeConflictException(V1Status status, Exception? inner = null)
    : KubeApiException(HttpStatusCode.Conflict, status, inner);

public sealed class KubeAlreadyExistsException(V1Status status, Exception? inner = null)
    : KubeApiException(HttpStatusCode.Conflict, status, inner);

/// <summary>410: the resourceVersion asked for is too old (compacted); a watcher must relist.</summary>
public sealed class KubeGoneException(V1Status status, Exception? inner = null)
    : KubeApiException(HttpStatusCode.Gone, status, inner);

/// <summary>422: the object failed validation; <c>Status.Details.Causes</c> name the fields.</summary>
public sealed class KubeInvalidException(V1Status status, Exception? inner = null)
    : KubeApiException(HttpStatusCode.UnprocessableEntity, status, inner);

/// <summary>429 after the retries were spent: the server (or its priority and fairness) is overloaded.</summary>
public sealed class KubeTooManyRequestsException(V1Status status, Exception? inner = null)
    : KubeApiException(HttpStatusCode.TooManyRequests, status, inner);
