#!/usr/bin/env bash
# Fetches Debian's kernel (linux-image-amd64 -> the versioned linux-image package) and extracts the
# kernel image plus the modules of modules.txt with their dependencies, in load order.
#   scripts/vm/kernel.sh CACHE_DIR   -> prints the directory holding vmlinuz, modules/ and modules.load
# Cached under CACHE_DIR/kernel-<package version>; a second run returns at once.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${1:?usage: kernel.sh CACHE_DIR}"
log() { printf 'vm/kernel: %s\n' "$*" >&2; }

kernel_package() { apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-[0-9].*-amd64\)$/\1/p' | head -1; }
package="$(kernel_package)"
if [ -z "$package" ]; then
  log "apt knows no linux-image-amd64 yet; updating the package lists"
  apt-get update -qq >/dev/null
  package="$(kernel_package)"
  [ -n "$package" ] || { log "apt knows no linux-image-amd64"; exit 1; }
fi
version="$(apt-cache policy "$package" | sed -n 's/^ *Candidate: //p')"
modules_hash="$(sha256sum "$here/modules.txt" "$here/kernel.sh" | sha256sum | cut -c1-12)"
out="$cache/kernel-$package-$version-$modules_hash"
if [ -f "$out/ready" ]; then echo "$out"; exit 0; fi

work="$(mktemp -d "$cache/.kernel-XXXXXX")"
trap 'rm -rf "$work"' EXIT
log "downloading $package $version"
if ! (cd "$work" && apt-get download -qq -o APT::Sandbox::User=root "$package=$version" >/dev/null 2>&1); then
  # The lists may name a version the mirror no longer has: refresh them and build from the new candidate.
  [ -z "${PARMA_VM_KERNEL_RETRY:-}" ] || { log "cannot download $package $version"; exit 1; }
  log "download failed; updating the package lists and trying again"
  apt-get update -qq >/dev/null
  rm -rf "$work"
  PARMA_VM_KERNEL_RETRY=1 exec "$0" "$@"
fi
log "extracting"
dpkg-deb -x "$work"/*.deb "$work/root"
kver="$(ls "$work/root/lib/modules")"
mkdir -p "$work/out/modules"
cp "$work/root/boot/vmlinuz-$kver" "$work/out/vmlinuz"
depmod -b "$work/root" "$kver"

# Every module of modules.txt with what it needs, in the order modprobe would load them, once each.
: > "$work/out/modules.load"
grep -v '^\s*\(#\|$\)' "$here/modules.txt" | while read -r module; do
  modprobe -d "$work/root" -S "$kver" --show-depends "$module" | while read -r kind path _; do
    [ "$kind" = insmod ] || continue
    name="$(basename "$path")"
    if ! grep -qx "$name" "$work/out/modules.load"; then
      cp "$path" "$work/out/modules/$name"
      echo "$name" >> "$work/out/modules.load"
    fi
  done
done
# busybox insmod reads plain .ko files.
for compressed in "$work/out/modules"/*.ko.xz; do
  [ -e "$compressed" ] || break
  xz -d "$compressed"
done
sed -i 's/\.ko\.xz$/.ko/' "$work/out/modules.load"
echo "$kver" > "$work/out/version"
log "kernel $kver with $(wc -l < "$work/out/modules.load") modules"
rm -rf "$out"
mv "$work/out" "$out"
touch "$out/ready"
echo "$out"
