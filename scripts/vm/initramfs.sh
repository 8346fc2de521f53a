#!/usr/bin/env bash
# Builds the test VM's base initramfs from Debian packages: busybox (static) as init and shell,
# cryptsetup/veritysetup, mke2fs, runc, their shared libraries, OpenSSL (which .NET loads at run
# time), the kernel modules of kernel.sh and scripts/vm/init. The agent and per-boot files are
# appended as further cpio archives (the kernel unpacks concatenated archives in order).
#   scripts/vm/initramfs.sh CACHE_DIR KERNEL_DIR   -> prints the directory holding base.cpio.gz
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cache="${1:?usage: initramfs.sh CACHE_DIR KERNEL_DIR}"
kernel="${2:?usage: initramfs.sh CACHE_DIR KERNEL_DIR}"
log() { printf 'vm/initramfs: %s\n' "$*" >&2; }

tools=(/usr/sbin/veritysetup /usr/sbin/cryptsetup /usr/sbin/dmsetup /usr/sbin/mke2fs /usr/sbin/runc /usr/sbin/blockdev)
dlopened=(/usr/lib/x86_64-linux-gnu/libssl.so.3 /usr/lib/x86_64-linux-gnu/libcrypto.so.3)
packages=(busybox-static cryptsetup-bin dmsetup e2fsprogs runc libssl3 util-linux)
versions="$(dpkg-query -W -f '${Package}=${Version}\n' "${packages[@]}" | LC_ALL=C sort)"
key="$( { echo "$versions"; cat "$kernel/version"; sha256sum "$here/init" "$here/initramfs.sh"; } | sha256sum | cut -c1-16)"
out="$cache/initramfs-$key"
if [ -f "$out/ready" ]; then echo "$out"; exit 0; fi

work="$(mktemp -d "$cache/.initramfs-XXXXXX")"
trap 'rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,lib/modules,etc/parma,proc,sys,dev,run,tmp,var/run}
chmod 1777 "$root/tmp"

busybox="$(command -v busybox)"
case "$(ldd "$busybox" 2>&1 || true)" in *"not a dynamic executable"*) ;; *) log "$busybox is not static; install busybox-static"; exit 1 ;; esac
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
  [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done

copy_with_libraries() {
  local file=$1 target=$2
  mkdir -p "$root$(dirname "$target")"
  cp -L "$file" "$root$target"
  ldd "$file" 2>/dev/null | grep -o '/[^ ]*' | while read -r library; do
    [ -e "$root$library" ] && continue
    mkdir -p "$root$(dirname "$library")"
    cp -L "$library" "$root$library"
  done
}
for tool in "${tools[@]}"; do
  [ -x "$tool" ] || { log "$tool is missing; run scripts/setup.sh"; exit 1; }
  copy_with_libraries "$tool" "$tool"
done
for library in "${dlopened[@]}"; do copy_with_libraries "$library" "$library"; done
ln -sf mke2fs "$root/usr/sbin/mkfs.ext4"
# The loader at the path the binaries name, and /lib64 as Debian has it.
mkdir -p "$root/lib64"
cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"

cp "$kernel"/modules/*.ko "$root/lib/modules/"
cp "$kernel/modules.load" "$root/etc/parma/modules.load"
install -m 0755 "$here/init" "$root/init"
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$root/etc/passwd"
printf 'root:x:0:\n' > "$root/etc/group"
: > "$root/etc/fstab"

log "packing $(du -sh "$root" | cut -f1)"
mkdir -p "$work/out"
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) | gzip -1 > "$work/out/base.cpio.gz"
rm -rf "$out"
mv "$work/out" "$out"
touch "$out/ready"
echo "$out"
