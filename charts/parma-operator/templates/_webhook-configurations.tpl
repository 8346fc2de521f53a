{{- /*
  Mutating and validating webhook configurations. Two entries per pod webhook, disjoint on create:
  - group pods (label parma.dev/group) in any namespace but kube-system, the release namespace and
    webhook.excludeNamespaces;
  - other pods only in namespaces labelled <webhook.namespaceOptInLabel>=true.
  On update the API server matches the old and the new pod, so an update that adds or removes the group
  label reaches the group-pods entry wherever it happens. Exemptions are by namespace only: no label or
  annotation a pod can carry takes it out of both entries (the project's own pods are exempt because
  they run in the release namespace). A pod without the group label in a namespace that did not opt in is
  not sent: nothing in Parma reads a policy from such a pod (docs/webhook.md, "Which pods are judged").
  Call with (dict "root" $ "caBundle" "<base64 PEM or empty when cert-manager injects it>").
*/}}
{{- define "parma.webhookNamespaceSelector" -}}
matchExpressions:
  - key: kubernetes.io/metadata.name
    operator: NotIn
    values:
      {{- toYaml (concat (list "kube-system" .root.Release.Namespace) .root.Values.webhook.excludeNamespaces | uniq) | nindent 6 }}
  {{- if .optIn }}
  - key: {{ .root.Values.webhook.namespaceOptInLabel }}
    operator: In
    values: ["true"]
  {{- end }}
{{- end }}

{{- define "parma.webhookClientConfig" -}}
service:
  name: {{ include "parma.webhookService" .root }}
  namespace: {{ .root.Release.Namespace }}
  path: {{ .path }}
  port: 443
{{- with .caBundle }}
caBundle: {{ . }}
{{- end }}
{{- end }}

{{- define "parma.webhookCommon" -}}
failurePolicy: {{ .root.Values.webhook.failurePolicy }}
sideEffects: None
admissionReviewVersions: ["v1"]
timeoutSeconds: {{ .root.Values.webhook.timeoutSeconds }}
matchPolicy: Equivalent
{{- end }}

{{- define "parma.podWebhooks" -}}
{{- $root := .root }}
{{- range $entry := list (dict "prefix" "group-pods" "optIn" false "operator" "Exists") (dict "prefix" "namespace-pods" "optIn" true "operator" "DoesNotExist") }}
- name: {{ $entry.prefix }}.{{ $.suffix }}
  clientConfig:
    {{- include "parma.webhookClientConfig" (dict "root" $root "path" $.path "caBundle" $.caBundle) | nindent 4 }}
  rules:
    - apiGroups: [""]
      apiVersions: ["v1"]
      operations: {{ toJson $.operations }}
      resources: ["pods"]
      scope: Namespaced
  namespaceSelector:
    {{- include "parma.webhookNamespaceSelector" (dict "root" $root "optIn" $entry.optIn) | nindent 4 }}
  objectSelector:
    matchExpressions:
      - key: parma.dev/group
        operator: {{ $entry.operator }}
  {{- include "parma.webhookCommon" (dict "root" $root) | nindent 2 }}
  {{- if eq $.kind "mutating" }}
  reinvocationPolicy: IfNeeded
  {{- end }}
{{- end }}
{{- end }}

{{- define "parma.webhookConfigurations" -}}
{{- $root := .root }}
{{- $name := include "parma.componentName" (dict "root" $root "component" "webhook") }}
{{- $annotations := dict }}
{{- if not .caBundle }}
{{- $_ := set $annotations "cert-manager.io/inject-ca-from" (printf "%s/%s" $root.Release.Namespace (include "parma.webhookCertificate" $root)) }}
{{- end }}
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: {{ $name }}
  labels:
    {{- include "parma.componentLabels" (dict "root" $root "component" "webhook") | nindent 4 }}
  {{- with $annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
webhooks:
  {{- include "parma.podWebhooks" (dict "root" $root "kind" "mutating" "suffix" "mutate.parma.dev" "path" "/mutate/pods" "operations" (list "CREATE" "UPDATE") "caBundle" .caBundle) | trim | nindent 2 }}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: {{ $name }}
  labels:
    {{- include "parma.componentLabels" (dict "root" $root "component" "webhook") | nindent 4 }}
  {{- with $annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
webhooks:
  {{- include "parma.podWebhooks" (dict "root" $root "kind" "validating" "suffix" "validate.parma.dev" "path" "/validate/pods" "operations" (list "CREATE" "UPDATE") "caBundle" .caBundle) | trim | nindent 2 }}
  - name: confidentialpodgroups.validate.parma.dev
    clientConfig:
      {{- include "parma.webhookClientConfig" (dict "root" $root "path" "/validate/confidentialpodgroups" "caBundle" .caBundle) | nindent 6 }}
    rules:
      - apiGroups: ["parma.dev"]
        apiVersions: ["v1alpha1"]
        operations: ["CREATE", "UPDATE"]
        resources: ["confidentialpodgroups"]
        scope: Namespaced
    namespaceSelector:
      {{- include "parma.webhookNamespaceSelector" (dict "root" $root "optIn" false) | nindent 6 }}
    {{- include "parma.webhookCommon" (dict "root" $root) | nindent 4 }}
{{- end }}
