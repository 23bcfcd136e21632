#!/usr/bin/env bash
# The job-array recipe of toys/slurm/ on a real single-node Slurm cluster: a private one, started
# by toys/slurm/local-cluster.sh in a temporary folder (its own SLURM_CONF, munge socket, state and
# ports; /etc/slurm is never touched) and stopped at the end — exactly its daemons, by PID.
#  1. From a study folder, with relative paths (OUTDIR, --config): 3 shards and their merge equal
#     the unsharded run.
#  2. Shards that fail (a configuration file that does not exist): the merge job still runs, and
#     fails saying which shards have no result and why.
# CI runs it (`make slurm-test`); it needs root (or sudo) for munge and slurmd.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ZPTOYS=${ZPTOYS:-$root/.build/release/zptoys}
export ZPTOYS
work=$(mktemp -d /tmp/zptoys-slurm.XXXXXX)
chmod 0755 "$work"   # the munge user reaches its socket in $work/cluster
cluster="$work/cluster"
etc_state() { { ls -laR --time-style=full-iso /etc/slurm; find /etc/slurm -type f -exec md5sum {} +; } 2>/dev/null | md5sum; }
etc_before=$(etc_state)
trap '"$root/toys/slurm/local-cluster.sh" stop "$cluster" || true' EXIT

"$root/toys/slurm/local-cluster.sh" start "$cluster"
export SLURM_CONF="$cluster/slurm.conf"
pids=("$(cat "$cluster/munge/munged.pid")" "$(cat "$cluster/slurmctld.pid")" "$(cat "$cluster/slurmd.pid")")
[ "$(ps -o user= -p "${pids[0]}")" = munge ] || { echo "slurm_test: munged does not run as munge"; exit 1; }

wait_for() {  # wait_for JOBID: until the job has left the queue (at most 10 minutes)
  for _ in $(seq 1 600); do
    squeue -h -j "$1" 2>/dev/null | grep -q . || return 0
    sleep 1
  done
  echo "slurm_test: job $1 still queued after 10 minutes:"; scontrol show job "$1"; return 1
}

# 1. Relative paths from a study folder.
mkdir -p "$work/study"
cd "$work/study"
"$ZPTOYS" config show > my.yaml
opts=(--masses 40-47 --toys 20 --belt-toys 200 --mc-background-events 100000 --mc-signal-events 10000 --seed 11 --config my.yaml)
"$ZPTOYS" brazil "${opts[@]}" --out unsharded.json --no-progress > /dev/null
line=$("$root/toys/slurm/submit.sh" 3 results brazil "${opts[@]}" | sed -n 1p)
echo "$line"
merge=$(echo "$line" | sed -E 's/.*merge job ([0-9]+).*/\1/')
wait_for "$merge"
if [ ! -s results/brazil.json ]; then
  echo "slurm_test: no merged result"; ls -la results; cat results/*.log; exit 1
fi
python3 - unsharded.json results/brazil.json <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["identity"] == b["identity"], "identities differ"
assert a["masses"] == b["masses"], "merged masses differ from the unsharded run"
assert len(b["merged_from"]) == 3, b["merged_from"]
print(f"slurm_test: 3 shards submitted with relative paths, merged into {len(b['masses'])} hypotheses, identical to the unsharded run")
PY

# 2. Failing shards: the merge says why.
line=$("$root/toys/slurm/submit.sh" 2 broken brazil --masses 40-41 --config missing.yaml | sed -n 1p)
merge=$(echo "$line" | sed -E 's/.*merge job ([0-9]+).*/\1/')
wait_for "$merge"
log="broken/zptoys-merge-$merge.log"
state=$(scontrol show job "$merge" | grep -oE 'JobState=[A-Z]+')
if [ "$state" != JobState=FAILED ] || ! grep -q "2 of 2 shards have no result (shards 1 2)" "$log" || ! grep -q "missing.yaml" "$log"; then
  echo "slurm_test: the merge of failed shards does not say why ($state):"; cat "$log"; exit 1
fi
echo "slurm_test: failed shards: the merge job ran, failed ($state) and named the shards and their error:"
sed 's/^/  /' "$log" | head -8

# Stop exactly our daemons; the system's configuration is untouched.
"$root/toys/slurm/local-cluster.sh" stop "$cluster"
trap - EXIT
for p in "${pids[@]}"; do
  if [ -d "/proc/$p" ]; then echo "slurm_test: pid $p still runs after stop"; exit 1; fi
done
etc_after=$(etc_state)
[ "$etc_before" = "$etc_after" ] || { echo "slurm_test: /etc/slurm changed"; exit 1; }
rm -rf "$work"
echo "slurm_test: 2 passed, 0 failed"
