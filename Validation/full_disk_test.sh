#!/usr/bin/env bash
# A full disk is a clear error that leaves the previous result intact and no temporary file
# behind: writes a 10 MB event file into a 1 MB tmpfs over an existing file. Needs root (mount).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
Z=${ZPTOYS:-$root/.build/release/zptoys}
disk=$(mktemp -d /tmp/zptoys-full.XXXXXX)
mount -t tmpfs -o size=1m tmpfs "$disk"
trap 'umount "$disk"; rmdir "$disk"' EXIT
echo previous > "$disk/events.csv"
if err=$("$Z" generate --process mumu --events 100000 --out "$disk/events.csv" 2>&1 >/dev/null); then
  echo "full_disk_test: the write did not fail"; exit 1
fi
grep -q "No space left on device" <<< "$err" || { echo "full_disk_test: unclear error: $err"; exit 1; }
[ "$(cat "$disk/events.csv")" = previous ] || { echo "full_disk_test: the previous file was damaged"; exit 1; }
[ "$(ls -A "$disk")" = events.csv ] || { echo "full_disk_test: left behind: $(ls -A "$disk")"; exit 1; }
echo "full_disk_test: \"$err\"; previous file intact, nothing left behind"
echo "full_disk_test: 1 passed, 0 failed"
