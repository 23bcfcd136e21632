#!/usr/bin/env bash
# Runs a zptoys study as a Slurm job array of N shards, then merges them.
#
#   toys/slurm/submit.sh N OUTDIR STUDY [study options...]
#   e.g. toys/slurm/submit.sh 50 /scratch/zp brazil --toys 1000
#        toys/slurm/submit.sh 100 /scratch/zp lee --toys 10000 --observed-z 2.8
#
# The merged result is OUTDIR/STUDY.json, bit for bit the result of one unsharded run. Set
# ZPTOYS to the zptoys binary if it is not on PATH; extra sbatch options go in SBATCH_OPTS
# (e.g. SBATCH_OPTS="--partition=long --time=02:00:00").
set -euo pipefail
if [ $# -lt 3 ]; then
  sed -n '2,11p' "$0" >&2
  exit 2
fi
n=$1; outdir=$2; study=$3; shift 3
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)
export ZPTOYS=${ZPTOYS:-$(command -v zptoys || true)}
[ -n "$ZPTOYS" ] || { echo "submit.sh: zptoys not found; set ZPTOYS" >&2; exit 2; }
array=$(sbatch --parsable ${SBATCH_OPTS:-} --chdir="$outdir" --array=0-$((n - 1)) "$here/study.sbatch" "$outdir" "$study" "$@")
merge=$(sbatch --parsable ${SBATCH_OPTS:-} --chdir="$outdir" --dependency=afterok:"$array" "$here/merge.sbatch" "$outdir" "$study" "$n")
echo "array job $array ($n shards), merge job $merge → $outdir/$study.json"
