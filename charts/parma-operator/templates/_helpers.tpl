{{/* Names, labels and small shared fragments. */}}

{{- define "parma.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "parma.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains (include "parma.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "parma.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/* A component's object name: <fullname>-<component>, at most 63 characters. */}}
{{- define "parma.componentName" -}}
{{- printf "%s-%s" (include "parma.fullname" .root) .component | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "parma.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "parma.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: parma
{{- end }}

{{/* Labels of a component's objects; call with (dict "root" $ "component" "operator"). */}}
{{- define "parma.componentLabels" -}}
{{ include "parma.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "parma.selectorLabels" -}}
app.kubernetes.io/name: {{ include "parma.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* image reference: registry/repository:tag or @digest; call with (dict "root" $ "image" .Values.operator.image). */}}
{{- define "parma.image" -}}
{{- $registry := .root.Values.image.registry -}}
{{- $repository := .image.repository -}}
{{- $name := ternary $repository (printf "%s/%s" $registry $repository) (empty $registry) -}}
{{- if .image.digest -}}
{{- printf "%s@%s" $name .image.digest -}}
{{- else -}}
{{- printf "%s:%s" $name (.image.tag | default .root.Values.image.tag | default .root.Chart.AppVersion) -}}
{{- end -}}
{{- end }}

{{- define "parma.serviceAccountName" -}}
{{- include "parma.componentName" . }}
{{- end }}

{{- define "parma.settingsConfigMap" -}}
{{- include "parma.componentName" (dict "root" . "component" "settings") }}
{{- end }}

{{- define "parma.webhookService" -}}
{{- include "parma.componentName" (dict "root" . "component" "webhook") }}
{{- end }}

{{- define "parma.webhookTlsSecret" -}}
{{- include "parma.componentName" (dict "root" . "component" "webhook-tls") }}
{{- end }}

{{- define "parma.webhookCertificate" -}}
{{- include "parma.componentName" (dict "root" . "component" "webhook") }}
{{- end }}

{{/* cert-manager or helm, resolving "auto" against the cluster's APIs. */}}
{{- define "parma.tlsSource" -}}
{{- if eq .Values.tls.source "auto" -}}
{{- ternary "cert-manager" "helm" (.Capabilities.APIVersions.Has "cert-manager.io/v1") -}}
{{- else -}}
{{- .Values.tls.source -}}
{{- end -}}
{{- end }}

{{/* "true" when a ServiceMonitor is rendered (then the pods carry no scrape annotations). */}}
{{- define "parma.serviceMonitor" -}}
{{- if eq .Values.metrics.serviceMonitor "enabled" -}}
true
{{- else if and (eq .Values.metrics.serviceMonitor "auto") (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1") -}}
true
{{- end -}}
{{- end }}

{{/* Prometheus scrape annotations for a pod whose plain-HTTP /metrics listens on the given port. */}}
{{- define "parma.scrapeAnnotations" -}}
{{- if and (ne .root.Values.metrics.serviceMonitor "disabled") (not (include "parma.serviceMonitor" .root)) -}}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .port | quote }}
prometheus.io/path: /metrics
{{- end -}}
{{- end }}

{{/* The settings file inside the operator and webhook containers. */}}
{{- define "parma.settingsPath" -}}/etc/parma/settings/settings.json{{- end }}

{{- define "parma.layerCachePath" -}}/var/cache/parma/layers{{- end }}

{{/* Volumes every .NET component needs with a read-only root filesystem. */}}
{{- define "parma.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
{{- end }}

{{/* The component's affinity, or by default a preference to spread replicas over nodes. */}}
{{- define "parma.affinity" -}}
{{- if .affinity -}}
{{- toYaml .affinity -}}
{{- else -}}
podAntiAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 100
      podAffinityTerm:
        topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- include "parma.selectorLabels" (dict "root" .root "component" .component) | nindent 12 }}
{{- end }}
{{- end }}
