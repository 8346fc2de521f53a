using System.Net;
using Parma.Kube.Models;

namespace Parma.Kube.Errors;

/// <summary>The API server answered with an error; <see cref="Status"/> is its meta/v1 Status body.</summary>
public class KubeApiException : Exception
{
    public KubeApiException(HttpStatusCode statusCode, Status status)
        : base(Describe(statusCode, status))
    {
        StatusCode = statusCode;
        Status = status;
    }

    public HttpStatusCode StatusCode { get; }

    public Status Status { get; }

    /// <summary>NotFound, AlreadyExists, Conflict, Invalid, Expired, TooManyRequests, …</summary>
    public string? Reason => Status.Reason;

    /// <summary>The error of the right subtype for a status code and body.</summary>
    public static KubeApiException From(HttpStatusCode statusCode, Status status) =>
        (int)statusCode switch
        {
            404 => new KubeNotFoundException(status),
            409 when status.Reason == "AlreadyExists" => new KubeAlreadyExistsException(status),
            409 => new KubeConflictException(status),
            410 => new KubeGoneException(status),
            422 => new KubeInvalidException(status),
            _ => new KubeApiException(statusCode, status),
        };

    private static string Describe(HttpStatusCode code, Status status) =>
        $"{(int)code} {status.Reason ?? code.ToString()}: {status.Message ?? "(no message)"}";
}

public sealed class KubeNotFoundException(Status status) : KubeApiException(HttpStatusCode.NotFound, status);

/// <summary>409 because the object changed since it was read (stale resourceVersion) or an apply conflict.</summary>
public sealed class KubeConflictException(Status status) : KubeApiException(HttpStatusCode.Conflict, status);

public sealed class KubeAlreadyExistsException(Status status) : KubeApiException(HttpStatusCode.Conflict, status);

/// <summary>410: the resourceVersion asked for is too old (compacted); a watcher must relist.</summary>
public sealed class KubeGoneException(Status status) : KubeApiException(HttpStatusCode.Gone, status);

/// <summary>422: the object failed validation; <c>Status.Details.Causes</c> name the fields.</summary>
public sealed class KubeInvalidException(Status status) : KubeApiException(HttpStatusCode.UnprocessableEntity, status);
