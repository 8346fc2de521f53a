using System.Text.Json.Nodes;
using Parma.Testing.ApiServer.Resources;
using Parma.Testing.ApiServer.Validation;

namespace Parma.Testing.ApiServer.Http;

/// <summary>An error answer: HTTP code and a meta/v1 Status body shaped as kube-apiserver shapes it.</summary>
public sealed class ApiError : Exception
{
    public ApiError(int code, string reason, string message, JsonObject? details = null)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Details = details;
    }

    public int Code { get; }

    public string Reason { get; }

    public JsonObject? Details { get; }

    public int? RetryAfterSeconds { get; init; }

    public JsonObject ToStatus()
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = Message,
            ["reason"] = Reason,
        };
        if (Details is not null)
        {
            status["details"] = Details.DeepClone();
        }

        status["code"] = Code;
        return status;
    }

    public static ApiError NotFound(ApiResource resource, string name) =>
        new(404, "NotFound", $"{resource.QualifiedPlural} \"{name}\" not found", DetailsFor(resource, name));

    public static ApiError AlreadyExists(ApiResource resource, string name) =>
        new(409, "AlreadyExists", $"{resource.QualifiedPlural} \"{name}\" already exists", DetailsFor(resource, name));

    public static ApiError Conflict(ApiResource resource, string name, string why) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {resource.QualifiedPlural} \"{name}\": {why}", DetailsFor(resource, name));

    public static ApiError StaleResourceVersion(ApiResource resource, string name) =>
        Conflict(resource, name, "the object has been modified; please apply your changes to the latest version and try again");

    public static ApiError BadRequest(string message) => new(400, "BadRequest", message);

    public static ApiError Gone(string message) => new(410, "Expired", message);

    public static ApiError MethodNotAllowed() => new(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");

    public static ApiError Unauthorized() => new(401, "Unauthorized", "Unauthorized");

    /// <summary>
    /// 422 Invalid: "Pod \"x\" is invalid: spec.containers: Required value", with one cause per field; the kind
    /// is qualified by its group outside the core group ("Deployment.apps", "ConfidentialPodGroup.parma.dev").
    /// </summary>
    public static ApiError Invalid(ApiResource resource, string name, IReadOnlyList<FieldError> errors)
    {
        var causes = new JsonArray();
        var parts = new List<string>();
        foreach (var error in errors)
        {
            var message = error.Kind == FieldErrorKind.Required ? "Required value" : error.Detail;
            causes.Add(new JsonObject { ["reason"] = error.Reason, ["message"] = message, ["field"] = error.Field });
            parts.Add($"{error.Field}: {message}");
        }

        var summary = parts.Count == 1 ? parts[0] : $"[{string.Join(", ", parts)}]";
        var details = new JsonObject { ["name"] = name };
        if (resource.Group.Length > 0)
        {
            details["group"] = resource.Group;
        }

        details["kind"] = resource.Kind;
        details["causes"] = causes;
        return new ApiError(422, "Invalid", $"{QualifiedKind(resource)} \"{name}\" is invalid: {summary}", details);
    }

    public static string QualifiedKind(ApiResource resource) => resource.Group.Length == 0 ? resource.Kind : $"{resource.Kind}.{resource.Group}";

    private static JsonObject DetailsFor(ApiResource resource, string name)
    {
        var details = new JsonObject { ["name"] = name };
        if (resource.Group.Length > 0)
        {
            details["group"] = resource.Group;
        }

        details["kind"] = resource.Plural;
        return details;
    }
}
