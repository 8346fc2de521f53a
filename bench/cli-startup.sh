#!/usr/bin/env bash
# A/B of how fast `parma` starts: the published ReadyToRun build (.tools/bin/parma, what setup.sh
# installs) and a plain IL publish. (`dotnet run --project cli --`, what the README used before,
# takes seconds even when the build is up to date: it checks the build first.)
# Runs the variants interleaved, N rounds each, and prints median wall and CPU (user+sys) times.
#   bench/cli-startup.sh [ROUNDS]        (PLAIN_DIR=... reuses a plain publish instead of building one)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-11}"
scripts/install-parma.sh
plain="${PLAIN_DIR:-}"
if [ -z "$plain" ]; then
  plain="$(mktemp -d)"
  trap 'rm -rf "$plain"' EXIT
  dotnet publish cli -c Release -o "$plain" --artifacts-path "$plain/build" -p:DebugType=none -nologo -v quiet >/dev/null
fi
echo "$(date -u +%FT%TZ); load: $(cut -d' ' -f1-3 /proc/loadavg); rounds: $rounds"
python3 - "$rounds" ".tools/parma/parma" "$plain/parma" <<'PY'
import resource, statistics, subprocess, sys, time
rounds, r2r, plain = int(sys.argv[1]), sys.argv[2], sys.argv[3]
cases = {
    "--version": ["--version"],
    "verity hash (small file)": ["verity", "hash", "examples/images/oci-layout"],
    "policy generate (example group)": ["policy", "generate", "-f", "examples/confidential-pod-group.yaml", "--images", "examples/images", "--no-cache"],
}
variants = {"ReadyToRun (.tools/bin/parma)": r2r, "plain IL publish": plain}
for name, args in cases.items():
    wall = {v: [] for v in variants}; cpu = {v: [] for v in variants}
    for _ in range(rounds):
        for v, exe in variants.items():
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN); t0 = time.perf_counter()
            subprocess.run([exe, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            t1 = time.perf_counter(); r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            wall[v].append((t1 - t0) * 1000); cpu[v].append((r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) * 1000)
    for v in variants:
        print(f"{name:34} {v:30} wall median {statistics.median(wall[v]):5.0f} ms (min {min(wall[v]):4.0f})  cpu median {statistics.median(cpu[v]):5.0f} ms")
PY
