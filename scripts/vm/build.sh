#!/usr/bin/env bash
# Builds the test VM from Debian packages and the guest agent published NativeAOT, reusing what is
# cached: Debian's kernel with the modules it needs (kernel.sh), a busybox initramfs with cryptsetup,
# e2fsprogs and runc (initramfs.sh), the agent (agent.sh). Prints the directory holding vmlinuz and
# initrd.img (base archive + agent archive). Per-boot files (policy, agent arguments) are appended by
# whoever boots it (see tests/Parma.Vm.Tests).
#   scripts/vm/build.sh [CACHE_DIR]     (default: .cache/vm in the repository, or $PARMA_VM_CACHE)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cache="${1:-${PARMA_VM_CACHE:-$repo/.cache/vm}}"
mkdir -p "$cache"
cache="$(cd "$cache" && pwd)"
log() { printf 'vm/build: %s\n' "$*" >&2; }

for tool in qemu-system-x86_64 cpio depmod modprobe clang ld.lld; do
  command -v "$tool" >/dev/null 2>&1 || { log "$tool is missing; run scripts/setup.sh"; exit 1; }
done

# One build at a time per cache (tests may start several VMs at once).
exec 9> "$cache/.lock"
flock 9

keep=()
kernel="$("$here/kernel.sh" "$cache")"
base="$("$here/initramfs.sh" "$cache" "$kernel")"
agent="$("$here/agent.sh" "$cache")"
key="$(printf '%s\n' "$kernel" "$base" "$agent" | sha256sum | cut -c1-16)"
out="$cache/image-$key"
if [ ! -f "$out/ready" ]; then
  work="$(mktemp -d "$cache/.image-XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/agent-root/usr/local/bin" "$work/out"
  cp "$agent/parma-guest-agent" "$work/agent-root/usr/local/bin/"
  (cd "$work/agent-root" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | gzip -1 > "$work/agent.cpio.gz"
  cat "$base/base.cpio.gz" "$work/agent.cpio.gz" > "$work/out/initrd.img"
  cp "$kernel/vmlinuz" "$work/out/vmlinuz"
  cp "$kernel/version" "$work/out/kernel-version"
  rm -rf "$out"
  mv "$work/out" "$out"
  touch "$out/ready"
  log "image $out ($(du -h "$out/initrd.img" | cut -f1) initrd)"
fi
# Older images and their parts are not kept.
for kept in "$out" "$kernel" "$base" "$agent"; do keep+=(! -path "$kept"); done
find "$cache" -mindepth 1 -maxdepth 1 -type d \( -name 'image-*' -o -name 'kernel-*' -o -name 'initramfs-*' -o -name 'agent-*' \) "${keep[@]}" -exec rm -rf {} +
echo "$out"
