using System.Text.Json;
using System.Text.Json.Nodes;
using Parma.Api;
using Parma.Kube.Schema;
using Parma.Policy.Generation;
using Parma.Policy.Input;
using Parma.Webhook.Admission;

namespace Parma.Webhook.Validation;

/// <summary>
/// /validate/confidentialpodgroups: refuses specs the operator could not turn into a policy, naming
/// each bad field by its path: a template that is not a valid Pod template by the official Kubernetes
/// schema (the CRD keeps the template's schema open to stay small), a RuntimeClass the settings do not
/// allow, exec allow-list entries that are not arrays of strings, regular expressions that are not RE2,
/// unknown formats.
/// </summary>
public sealed class GroupSpecValidation(ParmaSettings settings) : IAdmissionHandler
{
    public string Operation => "validate_confidentialpodgroups";

    public bool NeedsClusterCache => false;

    public Task<AdmissionResult> HandleAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        if (request is not { Group: ParmaApi.Group, Kind: ParmaApi.Kind })
        {
            return Task.FromResult(AdmissionResult.Deny(DenialReasons.WrongKind,
                $"this endpoint admits {ParmaApi.Group} {ParmaApi.Kind}s, not {request.GroupVersionKind}; check the webhook configuration's rules", 400));
        }

        if (request.Operation is not (AdmissionRequest.Create or AdmissionRequest.Update) || request.Object is null)
        {
            return Task.FromResult(AdmissionResult.Allow());
        }

        var problems = Problems(request.Object);
        return Task.FromResult(problems.Count == 0
            ? AdmissionResult.Allow()
            : AdmissionResult.Deny(DenialReasons.InvalidGroupSpec, $"invalid ConfidentialPodGroup spec: {string.Join("; ", problems)}", 422));
    }

    public IReadOnlyList<string> Problems(JsonObject group)
    {
        var problems = new List<string>();
        var spec = group["spec"] as JsonObject;
        if (spec?["runtimeClassName"] is JsonValue runtime && runtime.TryGetValue<string>(out var runtimeClass) && !settings.IsRuntimeClassAllowed(runtimeClass))
        {
            var allowed = settings.AllowedRuntimeClasses.Prepend(settings.RuntimeClassName).Distinct(StringComparer.Ordinal);
            problems.Add($"spec.runtimeClassName: '{runtimeClass}' is not a RuntimeClass the settings allow ({string.Join(", ", allowed)})");
        }

        // The operator builds pods from the template with the official client's models: a field they do not
        // know would be dropped from the pods, and one of the wrong type would fail every pod create.
        foreach (var error in PodSchema.ValidateTemplate(spec?["template"], "spec.template"))
        {
            problems.Add($"{error.Field}: {error.Detail}");
        }

        if (spec?["policy"] is not JsonObject policy)
        {
            return problems;
        }

        try
        {
            GroupPolicyOptions.FromGroupSpec(policy, new GroupPolicyOptions());
        }
        catch (PolicyInputException e)
        {
            problems.Add(e.Message.TrimEnd('.'));
        }

        // Each exec pattern rule is one RE2 pattern per argument (its shape is checked by FromGroupSpec above).
        if (policy["exec"]?["regex"] is JsonArray rules)
        {
            for (var i = 0; i < rules.Count; i++)
            {
                var patterns = rules[i] as JsonArray ?? [];
                for (var j = 0; j < patterns.Count; j++)
                {
                    if (patterns[j] is JsonValue value && value.GetValueKind() == JsonValueKind.String && Re2Patterns.Check(value.GetValue<string>()) is { } error)
                    {
                        problems.Add($"spec.policy.exec.regex[{i}][{j}]: '{value.GetValue<string>()}' is not a valid RE2 regular expression: {error}");
                    }
                }
            }
        }

        return problems;
    }
}
