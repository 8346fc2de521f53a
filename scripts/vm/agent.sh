#!/usr/bin/env bash
# Publishes the guest agent as NativeAOT (linux-x64) for the test VM.
#   scripts/vm/agent.sh CACHE_DIR   -> prints the directory holding parma-guest-agent
# Cached under CACHE_DIR/agent-<hash of the agent's sources and build files>.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cache="${1:?usage: agent.sh CACHE_DIR}"
log() { printf 'vm/agent: %s\n' "$*" >&2; }

sources() {
  (cd "$repo" && git ls-files -co --exclude-standard -- guest-agent lib global.json Directory.Build.props Directory.Packages.props scripts/vm/agent.sh \
    | grep -v -e '/bin/' -e '/obj/' | LC_ALL=C sort)
}
key="$( (cd "$repo" && sources | while read -r f; do [ -f "$f" ] && printf '%s  %s\n' "$(sha256sum < "$f" | cut -c1-64)" "$f"; done) | sha256sum | cut -c1-16)"
out="$cache/agent-$key"
if [ -f "$out/ready" ]; then echo "$out"; exit 0; fi

work="$(mktemp -d "$cache/.agent-XXXXXX")"
trap 'rm -rf "$work"' EXIT
log "publishing the guest agent (NativeAOT); this takes a few minutes"
if ! dotnet publish "$repo/guest-agent/Parma.GuestAgent.csproj" --configuration Release --runtime linux-x64 \
    -p:DebugType=none --output "$work/out" --nologo -v q > "$work/publish.log" 2>&1; then
  cat "$work/publish.log" >&2
  log "publish failed"; exit 1
fi
mkdir -p "$work/agent"
install -m 0755 "$work/out/Parma.GuestAgent" "$work/agent/parma-guest-agent"
rm -rf "$out"
mv "$work/agent" "$out"
touch "$out/ready"
log "agent $(du -h "$out/parma-guest-agent" | cut -f1)"
echo "$out"
