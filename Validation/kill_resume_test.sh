#!/usr/bin/env bash
# Interruptions: a study killed with SIGKILL at random moments and continued with --resume must
# give exactly the result of an uninterrupted run. CI runs the short version (default: 3,000 toy
# scans of 121 windows, long enough that kills land after tasks have finished — the batched scans
# made 60 too quick for any kill to find a checkpoint); pass a
# larger toy count for a longer soak: Validation/kill_resume_test.sh 20000 8
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
Z=${ZPTOYS:-$root/.build/release/zptoys}
toys=${1:-3000}
kills=${2:-4}
work=$(mktemp -d /tmp/zptoys-kill.XXXXXX)
opts=(lee --toys "$toys" --block-size 8 --masses 30-150 --observed-z 2.5 --seed 17
      --mc-background-events 100000 --mc-signal-events 10000 --threads 2 --no-progress)

t0=$(date +%s%N)
"$Z" "${opts[@]}" --out "$work/reference.json" > /dev/null
ms=$(( ($(date +%s%N) - t0) / 1000000 ))   # the uninterrupted run's time: kills land inside it

out="$work/interrupted.json"
resumed_once=0
for i in $(seq 1 "$kills"); do
  [ -f "$out" ] && break                       # finished between kills
  lines=$( [ -f "$out.partial" ] && (wc -l < "$out.partial") || echo 0)
  [ "$lines" -gt 1 ] && resumed_once=1         # this run starts from a non-empty checkpoint
  "$Z" "${opts[@]}" --out "$out" --resume > /dev/null 2>&1 &
  pid=$!
  delay=$(( ms * (20 + RANDOM % 40) / 100 ))
  sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  lines=$( [ -f "$out.partial" ] && (wc -l < "$out.partial") || echo 0)
  echo "kill $i after ${delay} ms: checkpoint has $lines lines"
done
"$Z" "${opts[@]}" --out "$out" --resume > /dev/null
[ "$resumed_once" = 1 ] || echo "kill_resume_test: warning: no run started from a non-empty checkpoint (the machine is fast or the kills were early)"

python3 - "$work/reference.json" "$out" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["toys"] == b["toys"], "the resumed run differs from the uninterrupted one"
assert a["observed"] == b["observed"]
print(f"kill_resume_test: {len(b['toys'])} toy scans, resumed {b['run']['resumed_tasks']} tasks; identical to the uninterrupted run")
PY
[ ! -e "$out.partial" ] || { echo "kill_resume_test: the checkpoint was not removed"; exit 1; }
[ ! -e "$out.lock" ] || { echo "kill_resume_test: the lock of the killed runs was not cleared"; exit 1; }
rm -rf "$work"
echo "kill_resume_test: 1 passed, 0 failed"
