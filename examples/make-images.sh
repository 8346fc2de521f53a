#!/usr/bin/env bash
# Builds the small offline images the examples use into examples/images (an OCI image layout).
# Deterministic: fixed file times and owners, sorted tar entries, gzip without a name or time, so
# running it again gives the same digests. The images are stand-ins for the README's offline demo,
# not real software: each layer holds a few small files.
set -euo pipefail
umask 022
cd "$(dirname "$0")"
out=images
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rm -rf "$out"
mkdir -p "$out/blobs/sha256"
printf '{"imageLayoutVersion":"1.0.0"}' > "$out/oci-layout"

sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }

# layer DIR -> prints "<diff_id> <blob digest> <blob size>" and stores the gzip blob
layer() {
  local dir=$1 tarfile="$work/layer.tar"
  tar --sort=name --mtime='@0' --owner=0 --group=0 --numeric-owner --format=ustar -C "$dir" -cf "$tarfile" .
  local diff_id; diff_id=$(sha "$tarfile")
  gzip -n -9 -c "$tarfile" > "$work/layer.tar.gz"
  local digest; digest=$(sha "$work/layer.tar.gz")
  cp "$work/layer.tar.gz" "$out/blobs/sha256/$digest"
  echo "$diff_id $digest $(size "$work/layer.tar.gz")"
}

blob() { # file -> stores it, prints "<digest> <size>"
  local digest; digest=$(sha "$1")
  cp "$1" "$out/blobs/sha256/$digest"
  echo "$digest $(size "$1")"
}

json_strings() { local first=1; printf '['; for s in "$@"; do [ $first = 1 ] || printf ','; first=0; printf '"%s"' "$s"; done; printf ']'; }

manifests=()
# image REF ENTRYPOINT_JSON CMD_JSON ENV_JSON WORKDIR USER LAYER_DIR...
image() {
  local ref=$1 entrypoint=$2 cmd=$3 env=$4 workdir=$5 user=$6; shift 6
  local diff_ids=() layers=()
  for dir in "$@"; do
    read -r diff_id digest lsize < <(layer "$dir")
    diff_ids+=("sha256:$diff_id")
    layers+=("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$digest\",\"size\":$lsize}")
  done
  local config="$work/config.json"
  printf '{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z","config":{"Entrypoint":%s,"Cmd":%s,"Env":%s,"WorkingDir":"%s","User":"%s"},"rootfs":{"type":"layers","diff_ids":%s}}' \
    "$entrypoint" "$cmd" "$env" "$workdir" "$user" "$(json_strings "${diff_ids[@]}")" > "$config"
  read -r cdigest csize < <(blob "$config")
  local manifest="$work/manifest.json"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
    "$cdigest" "$csize" "$(IFS=,; echo "${layers[*]}")" > "$manifest"
  read -r mdigest msize < <(blob "$manifest")
  manifests+=("{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:$mdigest\",\"size\":$msize,\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"},\"annotations\":{\"io.containerd.image.name\":\"$ref\",\"org.opencontainers.image.ref.name\":\"$ref\"}}")
}

mkfile() { # path mode content
  mkdir -p "$(dirname "$1")"; printf '%s' "$3" > "$1"; chmod "$2" "$1"
}

# Base layer shared by the app images: a tiny root filesystem.
base="$work/base"
mkfile "$base/etc/passwd" 0644 $'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/app:/bin/sh\n'
mkfile "$base/etc/group" 0644 $'root:x:0:\napp:x:1000:\n'
mkfile "$base/bin/sh" 0755 $'#!/bin/sh\n# stand-in shell for the offline example image\n'
mkdir -p "$base/tmp" "$base/app" && chmod 1777 "$base/tmp"

hello="$work/hello"
mkfile "$hello/app/hello.sh" 0755 $'#!/bin/sh\necho "$GREETING from a confidential container"\nwhile true; do sleep 3600; done\n'
mkfile "$hello/app/healthy.sh" 0755 $'#!/bin/sh\nexit 0\n'

sidecar="$work/sidecar"
mkfile "$sidecar/usr/local/bin/log-shipper" 0755 $'#!/bin/sh\nwhile true; do sleep 60; done\n'

pause="$work/pause"
mkfile "$pause/pause" 0755 $'#!/bin/sh\n# stand-in for the pause binary\n'

image "registry.k8s.io/pause:3.10" '["/pause"]' 'null' '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]' "/" "65535:65535" "$pause"
image "registry.example/parma/hello:1.0" '["/app/hello.sh"]' 'null' \
  '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","GREETING=hello"]' "/app" "1000:1000" "$base" "$hello"
image "registry.example/parma/log-shipper:2.1" '["/usr/local/bin/log-shipper"]' '["--interval","60"]' \
  '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]' "/" "" "$base" "$sidecar"

printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s]}' "$(IFS=,; echo "${manifests[*]}")" > "$out/index.json"
echo "wrote $out with ${#manifests[@]} images"
