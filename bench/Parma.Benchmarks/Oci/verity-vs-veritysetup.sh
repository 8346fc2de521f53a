#!/usr/bin/env bash
# Compares `parma verity hash` with `veritysetup format --no-superblock` on the same 1 GiB file (one run,
# same page-cache state for both), and measures peak memory of `parma layer hash` on a 1 GiB gzip layer.
# Usage: bench/Parma.Benchmarks/Oci/verity-vs-veritysetup.sh [SIZE_MIB]   (default 1024)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../../.." && pwd)"
size_mib="${1:-1024}"
work="$(mktemp -d /tmp/parma-verity-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT

dotnet publish "$repo/cli/Parma.Cli.csproj" -c Release -o "$work/parma" --nologo -v q >/dev/null
parma=(dotnet "$work/parma/parma.dll")

head -c "$((size_mib * 1024 * 1024))" /dev/urandom > "$work/data"
cat "$work/data" > /dev/null   # warm the page cache for both tools

seconds() { awk '/Elapsed \(wall clock\)/ { n = split($NF, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$1"; }
peak_kib() { awk '/Maximum resident set size/ { print $NF }' "$1"; }

/usr/bin/time -v "${parma[@]}" verity hash "$work/data" > "$work/parma.out" 2> "$work/parma.time"
/usr/bin/time -v /usr/sbin/veritysetup format --no-superblock --hash sha256 --data-block-size 4096 --hash-block-size 4096 \
  --salt "$(printf '0%.0s' $(seq 64))" "$work/data" "$work/hash" > "$work/vs.out" 2> "$work/vs.time"

ours="$(cat "$work/parma.out")"
theirs="$(awk '/Root hash:/ { print $NF }' "$work/vs.out")"
t_parma="$(seconds "$work/parma.time")"
t_vs="$(seconds "$work/vs.time")"
echo "size:               ${size_mib} MiB"
echo "root hash (parma):  $ours"
echo "root hash (vsetup): $theirs"
[ "$ours" = "$theirs" ] || { echo "MISMATCH"; exit 1; }
echo "parma verity hash:  ${t_parma}s, peak RSS $(peak_kib "$work/parma.time") KiB"
echo "veritysetup format: ${t_vs}s, peak RSS $(peak_kib "$work/vs.time") KiB"
awk -v a="$t_parma" -v b="$t_vs" 'BEGIN { printf "ratio parma/veritysetup: %.2f (target <= 1.0)\n", a / b }'

# Peak memory while hashing a gzip layer of the same size (a tar holding the random file).
tar -C "$work" -cf - data | gzip -1 > "$work/layer.tar.gz"
rm -f "$work/data" "$work/hash"
/usr/bin/time -v "${parma[@]}" layer hash "$work/layer.tar.gz" > "$work/layer.out" 2> "$work/layer.time"
echo "parma layer hash (gzip, ${size_mib} MiB tar): $(seconds "$work/layer.time")s, peak RSS $(( $(peak_kib "$work/layer.time") / 1024 )) MiB (target <= 128 MiB), root $(cat "$work/layer.out")"
