{{/* The label kustomization.yaml puts on every object of deploy/. */}}
{{- define "slipway.labels" -}}
app.kubernetes.io/part-of: slipway
{{- end -}}

{{- define "slipway.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/*
The vCenter trust settings: at most one, as the operator checks at start-up; failing here says so
before anything is installed.
*/}}
{{- define "slipway.checkTrust" -}}
{{- $n := 0 -}}
{{- if .Values.vcenter.caBundle }}{{ $n = add1 $n }}{{ end -}}
{{- if .Values.vcenter.thumbprint }}{{ $n = add1 $n }}{{ end -}}
{{- if .Values.vcenter.insecure }}{{ $n = add1 $n }}{{ end -}}
{{- if gt $n 1 -}}
{{- fail "vcenter: set at most one of caBundle, thumbprint and insecure (set caBundle to \"\" when using thumbprint or insecure)" -}}
{{- end -}}
{{- if not (has .Values.logFormat (list "text" "json")) -}}
{{- fail (printf "logFormat: %q is neither text nor json" .Values.logFormat) -}}
{{- end -}}
{{- end -}}
