#!/usr/bin/env bash
# Load test of the admission webhook with wrk on loopback (issue #8).
#
# Starts the webhook (Release build) with a self-signed certificate in a temporary directory and
# --group-file (DEVELOPMENT/BENCHMARK ONLY: groups from a file instead of the API server) holding the
# examples/ group "demo/hello" with its real generated policy (52 KiB of Rego). Then posts, with wrk:
#   stamp:     a pod of the group without annotations -> JSONPatch with the 70 KiB policy annotation
#   readmit:   the operator-made pod (already stamped) -> allowed, no patch
# Each run prints wrk's latencies and, from a GC probe loaded into the webhook as a startup hook
# (GcProbe.StartupHook.cs; the webhook itself is unchanged), the gen0/gen1/gen2 collections during the
# run and the bytes the process allocated per request.
# Usage: bench/Parma.Benchmarks/Webhook/run.sh [DURATION_SECONDS=20]
# Environment: CASES="stamp readmit", CONNECTIONS="1 2 4 8" (closed loop), PACED="10x8" (paced runs:
# CONNECTIONSxDELAY_MS each; 10x8 gives about 1,000 requests/s, empty for none),
# WEBHOOK_ENV="DOTNET_gcServer=1 ..." (extra environment for the webhook, for A/B runs),
# WEBHOOK_DLL=PATH (run another build of the webhook, e.g. an older commit's, instead of building this one).
set -euo pipefail
cd "$(dirname "$0")/../../.."
duration="${1:-20}"
work="$(mktemp -d)"
pid=""
cleanup() { [ -f "$work/webhook.log" ] && [ -n "${SHOW_LOG:-}" ] && cat "$work/webhook.log"; [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

webhook_dll="${WEBHOOK_DLL:-webhook/bin/Release/net10.0/Parma.Webhook.dll}"
[ -n "${WEBHOOK_DLL:-}" ] || dotnet build -c Release -v q -nologo webhook/Parma.Webhook.csproj >/dev/null
mkdir -p "$work/probe"
cat >"$work/probe/GcProbe.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings><DefineConstants>\$(DefineConstants);PARMA_GC_PROBE</DefineConstants></PropertyGroup>
  <ItemGroup><Compile Include="$PWD/bench/Parma.Benchmarks/Webhook/GcProbe.StartupHook.cs" /></ItemGroup>
</Project>
EOF
dotnet build -c Release -v q -nologo -o "$work/probe/out" "$work/probe/GcProbe.csproj" >/dev/null
[ -f cli/bin/Release/net10.0/parma.dll ] || dotnet build -c Release -v q -nologo cli/Parma.Cli.csproj >/dev/null

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$work/tls.key" -out "$work/tls.crt" 2>/dev/null
dotnet cli/bin/Release/net10.0/parma.dll policy generate -f examples/confidential-pod-group.yaml \
  --images examples/images --no-cache -o "$work" >/dev/null

python3 - "$work" <<'PY'
import base64, json, sys
work = sys.argv[1]
policy = open(f"{work}/demo.hello.rego").read()
host = open(f"{work}/demo.hello.host-data").read().strip()
group = {"apiVersion": "parma.dev/v1alpha1", "kind": "ConfidentialPodGroup",
         "metadata": {"name": "hello", "namespace": "demo", "uid": "bench", "resourceVersion": "1"},
         "spec": {"runtimeClassName": "kata-qemu-snp", "template": {"spec": {"containers": [{"name": "hello", "image": "x"}]}}},
         "status": {"hostData": host, "policyHash": host[:12],
                    "policyRef": {"name": "hello-policy", "key": "policy.rego", "format": "agent-policy"}}}
cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "hello-policy", "namespace": "demo"},
      "data": {"policy.rego": policy, "host-data": host}}
open(f"{work}/groups.yaml", "w").write(json.dumps(group) + "\n---\n" + json.dumps(cm) + "\n")
def pod(stamped):
    p = {"apiVersion": "v1", "kind": "Pod",
         "metadata": {"name": f"hello-{host[:10]}-bcdfg", "namespace": "demo", "labels": {"app": "hello", "parma.dev/group": "hello"}},
         "spec": {"containers": [
             {"name": "hello", "image": "registry.example/parma/hello@sha256:7ce3fbf45c71badadf6530d4223856079c7b46eb9fd0aa7c518d04ca98aaafab"},
             {"name": "log-shipper", "image": "registry.example/parma/log-shipper@sha256:25e4ac34ace8f2a420b9b809cc2a2f7963d89b1851a11817f27242fe7e5f2475", "args": ["--interval", "30"]}]}}
    if stamped:
        p["metadata"]["labels"]["parma.dev/policy-hash"] = host[:12]
        p["metadata"]["annotations"] = {"io.katacontainers.config.agent.policy": base64.b64encode(policy.encode()).decode(), "parma.dev/host-data": host}
        p["spec"]["runtimeClassName"] = "kata-qemu-snp"
    return p
for name, stamped in (("stamp", False), ("readmit", True)):
    review = {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
              "request": {"uid": "0f3a7c3e-bench", "kind": {"group": "", "version": "v1", "kind": "Pod"},
                          "resource": {"group": "", "version": "v1", "resource": "pods"}, "namespace": "demo",
                          "operation": "CREATE", "userInfo": {"username": "bench"}, "object": pod(stamped)}}
    open(f"{work}/{name}.json", "w").write(json.dumps(review))
PY

echo '{}' >"$work/settings.json"
port=18443
probe="$work/gc-probe.txt"
# shellcheck disable=SC2086
env DOTNET_STARTUP_HOOKS="$work/probe/out/GcProbe.dll" PARMA_GC_PROBE_FILE="$probe" ${WEBHOOK_ENV:-} \
  dotnet "$webhook_dll" --tls-cert "$work/tls.crt" --tls-key "$work/tls.key" \
  --port "$port" --metrics-port -1 --settings "$work/settings.json" --group-file "$work/groups.yaml" \
  --layer-cache "$work/layers" >"$work/webhook.log" 2>&1 &
pid=$!
up=""
for _ in $(seq 1 300); do curl -skf "https://127.0.0.1:$port/healthz" >/dev/null && up=1 && break; sleep 0.2; done
[ -n "$up" ] || { echo "the webhook did not answer /healthz within 60 s:" >&2; cat "$work/webhook.log" >&2; exit 1; }

# One wrk run ($1 connections, $2 ms pause or empty for a closed loop), then the GC deltas it caused.
measure() {
  local conns="$1" pause="$2" before after out requests
  sleep 0.5; before="$(cat "$probe")"
  out="$(PARMA_REVIEW="$work/$name.json" PARMA_DELAY_MS="$pause" wrk -t"$(( conns < 2 ? 1 : 2 ))" -c"$conns" -d"${duration}s" --latency \
    -s bench/Parma.Benchmarks/Webhook/admission.lua "https://127.0.0.1:$port/mutate/pods")"
  sleep 0.5; after="$(cat "$probe")"
  echo "$out" | grep -E "answers|p50"
  requests="$(echo "$out" | sed -n 's/.* \([0-9]*\) requests$/\1/p')"
  python3 - "$before" "$after" "$requests" <<'PY2'
import sys
b, a, n = [float(x) for x in sys.argv[1].split()], [float(x) for x in sys.argv[2].split()], int(sys.argv[3] or 0)
print(f"GCs gen0 {a[0]-b[0]:.0f}, gen1 {a[1]-b[1]:.0f}, gen2 {a[2]-b[2]:.0f}, paused {a[4]-b[4]:.0f} ms; {(a[3]-b[3]) / max(n, 1):,.0f} bytes allocated per request")
PY2
}

for name in ${CASES:-stamp readmit}; do
  echo "== $name: $(wc -c <"$work/$name.json") byte review"
  # Warm-up (JIT, TLS sessions, the group's annotation cache), then the measured runs.
  PARMA_REVIEW="$work/$name.json" wrk -t1 -c1 -d3s -s bench/Parma.Benchmarks/Webhook/admission.lua "https://127.0.0.1:$port/mutate/pods" >/dev/null
  for conns in ${CONNECTIONS-1 2 4 8}; do
    echo "-- closed loop, $conns connection(s), ${duration}s"
    measure "$conns" ""
  done
  for shape in ${PACED-10x8}; do
    echo "-- paced, ${shape%x*} connections, ${shape#*x} ms pause after each answer, ${duration}s"
    measure "${shape%x*}" "${shape#*x}"
  done
done
