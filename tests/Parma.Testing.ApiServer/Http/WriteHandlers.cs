using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Parma.Testing.ApiServer.Admission;
using Parma.Testing.ApiServer.Apply;
using Parma.Testing.ApiServer.Patching;
using Parma.Testing.ApiServer.Resources;
using Parma.Testing.ApiServer.Storage;

namespace Parma.Testing.ApiServer.Http;

/// <summary>CREATE, UPDATE (PUT), PATCH and DELETE with kube-apiserver's registry semantics.</summary>
public sealed class WriteHandlers(ServerState state, GarbageCollector collector)
{
    private const int MaxRaceRetries = 20;

    /// <param name="appliedBy">For a server-side apply that creates the object: the manager that owns exactly the applied fields.</param>
    public async Task<JsonObject> CreateAsync(RequestTarget target, JsonObject body, IQueryCollection query, CancellationToken cancellationToken, string? appliedBy = null)
    {
        var resource = target.Resource;
        var applied = appliedBy is null ? null : (JsonObject)body.DeepClone();
        CheckTypeMeta(resource, body);
        var meta = ObjectFields.Metadata(body);
        if (resource.Namespaced)
        {
            var bodyNamespace = ObjectFields.Text(meta["namespace"]);
            if (!string.IsNullOrEmpty(bodyNamespace) && bodyNamespace != target.Namespace)
            {
                throw ApiError.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            meta["namespace"] = target.Namespace;
        }
        else
        {
            meta.Remove("namespace");
        }

        if (string.IsNullOrEmpty(ObjectFields.Name(body)) && ObjectFields.Text(meta["generateName"]) is { Length: > 0 } prefix)
        {
            meta["name"] = prefix + RandomSuffix();
        }

        var name = ObjectFields.Name(body);
        if (string.IsNullOrEmpty(name))
        {
            throw ApiError.Invalid(resource, "", [new(Validation.FieldErrorKind.Required, "metadata.name", "name or generateName is required")]);
        }

        if (resource.Namespaced)
        {
            RequireLiveNamespace(resource, target.Namespace!, name);
        }

        ObjectRules.Validate(resource, body, query["fieldValidation"]);

        meta["uid"] = Guid.NewGuid().ToString();
        meta["creationTimestamp"] = ObjectFields.Now();
        meta.Remove("resourceVersion");
        meta.Remove("deletionTimestamp");
        meta.Remove("deletionGracePeriodSeconds");
        if (resource.TracksGeneration || resource.IsCustom)
        {
            meta["generation"] = 1;
        }
        else
        {
            meta.Remove("generation");
        }

        PrepareStatusOnCreate(resource, body);
        if (applied is null)
        {
            ManagedFields.RecordUpdate(body, null, query["fieldManager"], "Update");
        }
        else
        {
            ManagedFields.Write(body, [new ManagerEntry(appliedBy!, "Apply", null, [.. FieldSet.Leaves(applied, includeStatus: false).Keys])]);
        }

        body = await state.Admission.AdmitAsync(state, AdmissionOperation.Create, resource, body, null, cancellationToken).ConfigureAwait(false);
        if (IsDryRun(query))
        {
            // Everything ran (validation, admission) but nothing is stored.
            if (state.Store.Get(resource, ObjectFields.Namespace(body), name) is not null)
            {
                throw ApiError.AlreadyExists(resource, name);
            }

            return body;
        }

        if (!state.Store.TryCreate(resource, body))
        {
            throw ApiError.AlreadyExists(resource, name);
        }

        AfterWrite(resource, body);
        // An object created with owners that do not exist is collected, as kube's GC does.
        collector.Collect();
        return body;
    }

    public async Task<JsonObject> UpdateAsync(RequestTarget target, JsonObject body, IQueryCollection query, CancellationToken cancellationToken)
    {
        var resource = target.Resource;
        CheckTypeMeta(resource, body, target.Subresource == "scale");
        var bodyName = ObjectFields.Name(body);
        if (!string.IsNullOrEmpty(bodyName) && bodyName != target.Name)
        {
            throw ApiError.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({target.Name})");
        }

        var bodyNamespace = ObjectFields.Namespace(body);
        if (resource.Namespaced && !string.IsNullOrEmpty(bodyNamespace) && bodyNamespace != target.Namespace)
        {
            throw ApiError.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        var requested = ObjectFields.ResourceVersion(body);
        return await GuaranteedUpdateAsync(target, query, _ => (JsonObject)body.DeepClone(), requested > 0 ? requested : null, cancellationToken)
            .ConfigureAwait(false);
    }

    public async Task<JsonObject> PatchAsync(RequestTarget target, string contentType, string text, IQueryCollection query, CancellationToken cancellationToken)
    {
        var mediaType = contentType.Split(';')[0].Trim();
        JsonNode? patch;
        try
        {
            patch = mediaType == "application/apply-patch+yaml" ? ApplyConfiguration.Parse(text) : JsonNode.Parse(text);
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw ApiError.BadRequest($"error decoding patch: {e.Message}");
        }

        if (mediaType == "application/apply-patch+yaml")
        {
            return await ApplyAsync(target, patch as JsonObject ?? throw ApiError.BadRequest("an apply configuration must be an object"), query, cancellationToken)
                .ConfigureAwait(false);
        }

        Func<JsonObject, JsonObject> transform = mediaType switch
        {
            "application/merge-patch+json" or "application/strategic-merge-patch+json" when patch is JsonObject merge =>
                // Strategic merge patch is applied as a JSON merge patch here (lists are replaced, not merged by key).
                current => (JsonObject)JsonMergePatch.Apply(current, merge)!,
            "application/json-patch+json" when patch is JsonArray operations => current => ApplyJsonPatch(target.Resource, current, operations),
            "application/merge-patch+json" or "application/strategic-merge-patch+json" or "application/json-patch+json" =>
                throw ApiError.BadRequest($"the patch body does not suit {mediaType}"),
            _ => throw new ApiError(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json"),
        };

        return await GuaranteedUpdateAsync(target, query, transform, requestedRevision: null, cancellationToken).ConfigureAwait(false);
    }

    public async Task<(JsonObject Body, bool IsObject)> DeleteAsync(RequestTarget target, JsonObject? body, IQueryCollection query)
    {
        var resource = target.Resource;
        var propagation = ObjectFields.Text(body?["propagationPolicy"]) ?? query["propagationPolicy"].ToString();
        var preconditions = body?["preconditions"] as JsonObject;
        for (var attempt = 0; ; attempt++)
        {
            var current = state.Store.Get(resource, target.Namespace, target.Name!) ?? throw ApiError.NotFound(resource, target.Name!);
            if (ObjectFields.Text(preconditions?["uid"]) is { } uid && uid != ObjectFields.Uid(current))
            {
                throw ApiError.Conflict(resource, target.Name!, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {ObjectFields.Uid(current)}");
            }

            if (ObjectFields.Text(preconditions?["resourceVersion"]) is { } rv && rv != ObjectFields.Metadata(current)["resourceVersion"]?.ToString())
            {
                throw ApiError.Conflict(resource, target.Name!, $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {ObjectFields.Metadata(current)["resourceVersion"]}");
            }

            await state.Admission.AdmitAsync(state, AdmissionOperation.Delete, resource, null, current, CancellationToken.None).ConfigureAwait(false);
            if (IsDryRun(query))
            {
                return (current, true);
            }

            var outcome = MarkOrRemove(resource, current, propagation);
            if (outcome is null)
            {
                if (attempt >= MaxRaceRetries)
                {
                    throw ApiError.StaleResourceVersion(resource, target.Name!);
                }

                continue;
            }

            collector.Collect();
            if (outcome.Value.Removed && !resource.DeleteReturnsObject)
            {
                var details = new JsonObject { ["name"] = target.Name };
                if (resource.Group.Length > 0)
                {
                    details["group"] = resource.Group;
                }

                details["kind"] = resource.Plural;
                details["uid"] = ObjectFields.Uid(current);
                return (new JsonObject
                {
                    ["kind"] = "Status",
                    ["apiVersion"] = "v1",
                    ["metadata"] = new JsonObject(),
                    ["status"] = "Success",
                    ["details"] = details,
                }, false);
            }

            return (outcome.Value.Object, true);
        }
    }

    /// <summary>
    /// Deletes as the registry does: with finalizers (or a foreground/orphan policy) the object only
    /// gets deletionTimestamp; otherwise it is removed. Null when the object changed underneath.
    /// </summary>
    internal (JsonObject Object, bool Removed)? MarkOrRemove(ApiResource resource, JsonObject current, string? propagation)
    {
        var finalizers = ObjectFields.Finalizers(current).ToList();
        var wanted = propagation switch
        {
            "Foreground" => "foregroundDeletion",
            "Orphan" => "orphan",
            _ => null,
        };
        if (wanted is not null && !finalizers.Contains(wanted))
        {
            finalizers.Add(wanted);
        }

        var expected = ObjectFields.ResourceVersion(current);
        if (finalizers.Count == 0)
        {
            var removed = state.Store.TryRemove(resource, ObjectFields.Namespace(current), ObjectFields.Name(current)!, expected);
            return removed is null ? null : (removed, true);
        }

        var marked = (JsonObject)current.DeepClone();
        var meta = ObjectFields.Metadata(marked);
        if (!ObjectFields.IsDeleting(current))
        {
            meta["deletionTimestamp"] = ObjectFields.Now();
            meta["deletionGracePeriodSeconds"] = 0;
        }

        meta["finalizers"] = new JsonArray([.. finalizers.Select(f => (JsonNode)f)]);
        if (ObjectRules.SameExceptBookkeeping(marked, current))
        {
            return (current, false);
        }

        return state.Store.TryUpdate(resource, marked, expected) ? (marked, false) : null;
    }

    /// <summary>Stores an updated object; an object being deleted whose last finalizer went is removed instead.</summary>
    internal JsonObject? Commit(ApiResource resource, JsonObject updated, long expected)
    {
        if (ObjectFields.IsDeleting(updated) && ObjectFields.Finalizers(updated).Count == 0)
        {
            return state.Store.TryRemove(resource, ObjectFields.Namespace(updated), ObjectFields.Name(updated)!, expected);
        }

        return state.Store.TryUpdate(resource, updated, expected) ? updated : null;
    }

    private async Task<JsonObject> ApplyAsync(RequestTarget target, JsonObject applied, IQueryCollection query, CancellationToken cancellationToken)
    {
        var manager = query["fieldManager"].ToString();
        if (string.IsNullOrEmpty(manager))
        {
            throw ApiError.BadRequest("PATCH requests with apply content type (application/apply-patch+yaml) must specify a fieldManager");
        }

        var force = query["force"] == "true";
        if (state.Store.Get(target.Resource, target.Namespace, target.Name!) is null && target.Subresource is null)
        {
            // One write, as kube-apiserver does: the object is created with the applier owning what it applied.
            var created = (JsonObject)applied.DeepClone();
            ObjectFields.Metadata(created)["name"] = target.Name;
            return await CreateAsync(target with { Name = null }, created, query, cancellationToken, appliedBy: manager).ConfigureAwait(false);
        }

        return await GuaranteedUpdateAsync(
            target,
            query,
            current => ServerSideApply.Merge(target.Resource, current, applied, manager, force),
            requestedRevision: null,
            cancellationToken,
            applyManager: manager).ConfigureAwait(false);
    }

    /// <summary>
    /// Read, transform, check, validate, admit, compare-and-swap; repeat when another write raced in.
    /// <paramref name="requestedRevision"/> is the resourceVersion a PUT body carried (a conditional update).
    /// </summary>
    private async Task<JsonObject> GuaranteedUpdateAsync(
        RequestTarget target,
        IQueryCollection query,
        Func<JsonObject, JsonObject> transform,
        long? requestedRevision,
        CancellationToken cancellationToken,
        string? applyManager = null)
    {
        var resource = target.Resource;
        for (var attempt = 0; ; attempt++)
        {
            var current = state.Store.Get(resource, target.Namespace, target.Name!) ?? throw ApiError.NotFound(resource, target.Name!);
            var currentRevision = ObjectFields.ResourceVersion(current);
            JsonObject proposed;
            if (target.Subresource == "scale")
            {
                var scale = transform(ScaleSubresourceView.From(resource, current));
                proposed = (JsonObject)current.DeepClone();
                ScaleSubresourceView.ApplyTo(resource, proposed, scale);
                ObjectFields.SetResourceVersion(proposed, ObjectFields.ResourceVersion(scale));
            }
            else
            {
                proposed = transform((JsonObject)current.DeepClone());
            }

            // A patch that sets metadata.resourceVersion makes the write conditional too.
            var expected = requestedRevision ?? ObjectFields.ResourceVersion(proposed);
            if (expected > 0 && expected != currentRevision)
            {
                throw ApiError.StaleResourceVersion(resource, target.Name!);
            }

            var updated = MergeForEndpoint(resource, target.Subresource, current, proposed);
            ObjectRules.Validate(resource, updated, query["fieldValidation"]);
            if (ObjectFields.IsDeleting(current) && ObjectFields.Finalizers(updated).Except(ObjectFields.Finalizers(current)).Any())
            {
                throw ApiError.Invalid(resource, target.Name!, [new(Validation.FieldErrorKind.Invalid, "metadata.finalizers", "Forbidden: no new finalizers can be added if the object is being deleted")]);
            }

            if (applyManager is null)
            {
                ManagedFields.RecordUpdate(updated, current, query["fieldManager"], "Update", target.Subresource);
            }

            if (ObjectRules.SameExceptBookkeeping(updated, current))
            {
                return current;
            }

            updated = await state.Admission.AdmitAsync(state, AdmissionOperation.Update, resource, updated, current, cancellationToken, target.Subresource).ConfigureAwait(false);
            if (IsDryRun(query))
            {
                return updated;
            }

            if (Commit(resource, updated, currentRevision) is { } stored)
            {
                AfterWrite(resource, stored);
                collector.Collect();
                return stored;
            }

            if (requestedRevision is not null || attempt >= MaxRaceRetries)
            {
                throw ApiError.StaleResourceVersion(resource, target.Name!);
            }
        }
    }

    /// <summary>Main endpoint keeps the stored status; /status keeps everything but status; server-owned metadata is kept.</summary>
    private static JsonObject MergeForEndpoint(ApiResource resource, string? subresource, JsonObject current, JsonObject proposed)
    {
        JsonObject updated;
        if (subresource == "status")
        {
            updated = (JsonObject)current.DeepClone();
            updated.Remove("status");
            if (proposed["status"] is { } status)
            {
                updated["status"] = status.DeepClone();
            }
        }
        else
        {
            updated = (JsonObject)proposed.DeepClone();
            if (resource.HasStatus && subresource is null)
            {
                updated.Remove("status");
                if (current["status"] is { } status)
                {
                    updated["status"] = status.DeepClone();
                }
            }
        }

        updated["apiVersion"] = current["apiVersion"]!.DeepClone();
        updated["kind"] = current["kind"]!.DeepClone();
        var meta = ObjectFields.Metadata(updated);
        var old = ObjectFields.Metadata(current);
        foreach (var field in new[] { "name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "resourceVersion" })
        {
            if (old[field] is { } kept)
            {
                meta[field] = kept.DeepClone();
            }
            else
            {
                meta.Remove(field);
            }
        }

        if (meta["generation"] is not null
            && !JsonNode.DeepEquals(ObjectRules.Content(resource, updated), ObjectRules.Content(resource, current)))
        {
            meta["generation"] = ObjectFields.Integer(old["generation"]) + 1;
        }

        return updated;
    }

    private JsonObject ApplyJsonPatch(ApiResource resource, JsonObject current, JsonArray operations)
    {
        try
        {
            return JsonPatch.Apply(current, operations) as JsonObject ?? throw ApiError.BadRequest("the patch replaced the object with a non-object");
        }
        catch (JsonPatchException e)
        {
            throw new ApiError(422, "Invalid", $"{ApiError.QualifiedKind(resource)} \"{ObjectFields.Name(current)}\" is invalid: {e.Message}");
        }
    }

    private void AfterWrite(ApiResource resource, JsonObject stored)
    {
        if (resource.Plural == "customresourcedefinitions")
        {
            CrdRegistrar.Register(state, stored);
        }
    }

    private void RequireLiveNamespace(ApiResource resource, string ns, string name)
    {
        var namespaces = state.Catalog.Find("", "v1", "namespaces")!;
        var found = state.Store.Get(namespaces, null, ns) ?? throw ApiError.NotFound(namespaces, ns);
        if (ObjectFields.IsDeleting(found))
        {
            throw new ApiError(403, "Forbidden", $"{resource.QualifiedPlural} \"{name}\" is forbidden: unable to create new content in namespace {ns} because it is being terminated");
        }
    }

    private static bool IsDryRun(IQueryCollection query) => query["dryRun"] == "All";

    private static void CheckTypeMeta(ApiResource resource, JsonObject body, bool isScale = false)
    {
        var (apiVersion, kind) = isScale ? ("autoscaling/v1", "Scale") : (resource.ApiVersion, resource.Kind);
        var bodyApiVersion = ObjectFields.Text(body["apiVersion"]);
        if (!string.IsNullOrEmpty(bodyApiVersion) && bodyApiVersion != apiVersion)
        {
            throw ApiError.BadRequest($"the API version in the data ({bodyApiVersion}) does not match the expected API version ({apiVersion})");
        }

        var bodyKind = ObjectFields.Text(body["kind"]);
        if (!string.IsNullOrEmpty(bodyKind) && bodyKind != kind)
        {
            throw ApiError.BadRequest($"the kind in the data ({bodyKind}) does not match the expected kind ({kind})");
        }

        body["apiVersion"] = apiVersion;
        body["kind"] = kind;
    }

    private static void PrepareStatusOnCreate(ApiResource resource, JsonObject body)
    {
        if (!resource.HasStatus)
        {
            return;
        }

        // The registry resets status on create; clients set it through /status.
        body.Remove("status");
        switch (resource.Kind)
        {
            case "Pod":
                body["status"] = new JsonObject { ["phase"] = "Pending" };
                break;
            case "Namespace":
                body["status"] = new JsonObject { ["phase"] = "Active" };
                break;
            case "CustomResourceDefinition":
                body["status"] = CrdRegistrar.AcceptedStatus(body);
                break;
            default:
                if (!resource.IsCustom)
                {
                    body["status"] = new JsonObject();
                }

                break;
        }
    }

    private static string RandomSuffix()
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return string.Create(5, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
            }
        });
    }

}
