#!/usr/bin/env bash
# Publishes the `parma` command into .tools/parma and links it as .tools/bin/parma; put that folder on
# PATH once:  export PATH="$PWD/.tools/bin:$PATH"
# Framework-dependent (uses the installed .NET runtime) and ReadyToRun-compiled, so a call starts in
# about a tenth of a second instead of the ~10 s of `dotnet run` (bench/RESULTS.md has the numbers).
# Idempotent: when no source under cli/ or lib/ changed since the last publish it returns at once.
# Builds in its own artifacts folder, so it never disturbs the Debug build of the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'setup: %s\n' "$*" >&2; }
TOOLS=.tools
DEST="$TOOLS/parma"
STAMP="$DEST/.published-from-sources"
mkdir -p "$TOOLS/bin"

# One install at a time (setup.sh, a test run and a developer may start one together).
exec 9>"$TOOLS/parma.lock"
flock 9

changed() {
  [ -x "$DEST/parma" ] && [ -f "$STAMP" ] || return 0
  [ -n "$(find cli lib Directory.Build.props Directory.Packages.props global.json \
      \( -name bin -o -name obj \) -prune -o -type f -newer "$STAMP" -print -quit)" ]
}

if changed; then
  case "$(uname -m)" in
    x86_64) rid=linux-x64 ;;
    aarch64 | arm64) rid=linux-arm64 ;;
    *) log "no ReadyToRun for $(uname -m); publishing plain IL"; rid="" ;;
  esac
  staging="$TOOLS/parma.new"
  rm -rf "$staging"
  # Stamped with the time the build starts: a source saved during the build makes the next run publish again.
  touch "$TOOLS/parma.stamp"
  args=(publish cli --configuration Release --output "$staging" --artifacts-path "$TOOLS/parma-build" -p:DebugType=none -nologo)
  if [ -n "$rid" ]; then args+=(--runtime "$rid" --self-contained false -p:PublishReadyToRun=true); fi
  log "publishing parma into $DEST (about a minute the first time)"
  if [ -t 2 ]; then
    # On a terminal, show the build's live progress.
    dotnet "${args[@]}" -tl:on >&2
  else
    output="$(mktemp)"
    if ! dotnet "${args[@]}" -tl:off -v quiet >"$output" 2>&1; then cat "$output" >&2; rm -f "$output"; exit 1; fi
    rm -f "$output"
  fi
  mv "$TOOLS/parma.stamp" "$staging/.published-from-sources"
  rm -rf "$DEST.old"
  if [ -d "$DEST" ]; then mv "$DEST" "$DEST.old"; fi
  mv "$staging" "$DEST"
  rm -rf "$DEST.old"
fi

ln -sfn ../parma/parma "$TOOLS/bin/parma"
