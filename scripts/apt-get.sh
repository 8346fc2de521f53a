#!/usr/bin/env bash
# apt-get that waits for a busy apt/dpkg lock instead of failing at once (another apt-get, an
# unattended upgrade, or another checkout's setup may hold it). Same arguments as apt-get.
#   APT_LOCK_WAIT   seconds to keep retrying (default 600)
#   APT_LOCK_RETRY  seconds between tries (default 5)
#   APT_GET         the apt-get to run (default apt-get; the tests put a stand-in here)
set -uo pipefail

wait_total="${APT_LOCK_WAIT:-600}"
retry_every="${APT_LOCK_RETRY:-5}"
apt_get="${APT_GET:-apt-get}"
log() { printf 'setup: %s\n' "$*" >&2; }

deadline=$((SECONDS + wait_total))
errors="$(mktemp)"
trap 'rm -f "$errors"' EXIT
while :; do
  # DPkg::Lock::Timeout makes apt itself wait for the dpkg frontend lock; the loop covers the
  # locks it does not wait for (the package lists during update, the archive cache).
  "$apt_get" -o "DPkg::Lock::Timeout=$retry_every" "$@" 2>"$errors"
  status=$?
  if [ "$status" -eq 0 ] || ! grep -qiE 'could not get lock|unable to acquire the dpkg|unable to lock|is another process using it' "$errors"; then
    cat "$errors" >&2
    exit "$status"
  fi
  holder="$(grep -oiE 'held by process [0-9]+( \([^)]*\))?' "$errors" | head -1)"
  if [ "$SECONDS" -ge "$deadline" ]; then
    cat "$errors" >&2
    log "apt-get $*: the apt/dpkg lock is still busy${holder:+ ($holder)} after ${wait_total} s; giving up"
    exit "$status"
  fi
  log "apt-get $*: the apt/dpkg lock is busy${holder:+ ($holder)}; trying again in ${retry_every} s"
  sleep "$retry_every"
done
