#!/usr/bin/env bash
# Runs a sharded study on a real single-node Slurm cluster (toys/slurm/local-cluster.sh) with the
# job-array recipe of toys/slurm/, and checks that the merged result equals the unsharded run's.
# CI runs it (`make slurm-test`); it needs root to start munge and the Slurm daemons.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ZPTOYS=${ZPTOYS:-$root/.build/release/zptoys}
export ZPTOYS
work=$(mktemp -d /tmp/zptoys-slurm.XXXXXX)
trap '"$root/toys/slurm/local-cluster.sh" stop || true' EXIT

"$root/toys/slurm/local-cluster.sh" start

opts=(--masses 40-47 --toys 20 --mc-background-events 100000 --mc-signal-events 10000 --seed 11)
"$ZPTOYS" brazil "${opts[@]}" --out "$work/unsharded.json" --no-progress > /dev/null
"$root/toys/slurm/submit.sh" 3 "$work/cluster" brazil "${opts[@]}"

# Wait for the merged file (at most 10 minutes).
for i in $(seq 1 600); do
  [ -s "$work/cluster/brazil.json" ] && break
  if [ "$i" = 600 ]; then echo "slurm_test: timed out"; squeue; ls -la "$work/cluster"; cat "$work"/cluster/*.log; exit 1; fi
  sleep 1
done
python3 - "$work/unsharded.json" "$work/cluster/brazil.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["identity"] == b["identity"], "identities differ"
assert a["masses"] == b["masses"], "merged masses differ from the unsharded run"
assert len(b["merged_from"]) == 3, b["merged_from"]
print(f"slurm_test: 3 shards on Slurm merged into {len(b['masses'])} hypotheses, identical to the unsharded run")
PY
echo "slurm_test: 1 passed, 0 failed"
