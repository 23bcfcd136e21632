#!/usr/bin/env bash
# Runs a zptoys study as a Slurm job array of N shards, then merges them.
#
#   toys/slurm/submit.sh N OUTDIR STUDY [study options...]
#   e.g. toys/slurm/submit.sh 50 /scratch/zp brazil --toys 1000
#        toys/slurm/submit.sh 100 results lee --toys 10000 --observed-z 2.8 --config my.yaml
#
# The merged result is OUTDIR/STUDY.json, bit for bit the result of one unsharded run. Paths are
# resolved here, at submission: OUTDIR, ZPTOYS and every option that names an existing file or
# folder (`--config my.yaml`, `--data=events.csv`) become absolute, so the jobs find them whatever
# their working directory (OUTDIR). Set ZPTOYS to the zptoys binary if it is not on PATH; extra
# sbatch options go in SBATCH_OPTS (e.g. SBATCH_OPTS="--partition=long --time=02:00:00").
set -euo pipefail
if [ $# -lt 3 ] || ! [[ $1 =~ ^[1-9][0-9]*$ ]]; then
  sed -n '2,13p' "$0" >&2
  exit 2
fi
n=$1; outdir=$2; study=$3; shift 3
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)

zptoys=${ZPTOYS:-zptoys}
if [[ $zptoys != */* ]]; then zptoys=$(command -v "$zptoys" || true); fi
[ -n "$zptoys" ] && [ -x "$zptoys" ] || { echo "submit.sh: zptoys not found (${ZPTOYS:-not on PATH}); set ZPTOYS" >&2; exit 2; }
export ZPTOYS=$(cd "$(dirname "$zptoys")" && pwd)/$(basename "$zptoys")

# Options naming existing files or folders, made absolute (both "--opt PATH" and "--opt=PATH").
args=()
for a in "$@"; do
  if [[ $a == --*=* ]] && [ -e "${a#*=}" ]; then
    v=${a#*=}; a="${a%%=*}=$(cd "$(dirname "$v")" && pwd)/$(basename "$v")"
  elif [[ $a != -* ]] && [ -e "$a" ]; then
    a="$(cd "$(dirname "$a")" && pwd)/$(basename "$a")"
  fi
  args+=("$a")
done

# shellcheck disable=SC2086  # SBATCH_OPTS is a list of options
array=$(sbatch --parsable ${SBATCH_OPTS:-} --chdir="$outdir" --output="$outdir/zptoys-%A_%a.log" \
  --array=0-$((n - 1)) "$here/study.sbatch" "$outdir" "$study" "${args[@]}")
array=${array%%;*}
# afterany: the merge runs however the array ends, and says which shards are missing and why
# (with afterok a failed shard would leave it pending forever: DependencyNeverSatisfied).
# shellcheck disable=SC2086
merge=$(sbatch --parsable ${SBATCH_OPTS:-} --chdir="$outdir" --output="$outdir/zptoys-merge-%j.log" \
  --dependency=afterany:"$array" "$here/merge.sbatch" "$outdir" "$study" "$n" "$array")
merge=${merge%%;*}
echo "array job $array ($n shards), merge job $merge → $outdir/$study.json"
echo "logs: $outdir/zptoys-${array}_K.log (shard K+1), $outdir/zptoys-merge-$merge.log; a job that waits: scontrol show job $merge (Reason=)"
