#!/usr/bin/env bash
# Fuzzes every reader of user files with libFuzzer (swiftc -sanitize=fuzzer,address):
#   workspace-json   pyhf workspace JSON → Workspace → Model → a fit        (fit, hypotest, limit)
#   config-yaml      experiment configuration YAML → ExperimentConfig → grid (--config)
#   csv              the CSV reader behind event and histogram files       (--data, --input)
#   results-merge    study result files → StudyFiles.merge                  (merge)
#   results-plot     result files → Plotting.ResultFile → every figure      (plot, report)
#   couplings-input  the Brazil file of `couplings` → CouplingsCommand.readInput
# Each target runs from the seed corpus in Tests/Fuzz/corpus/<kind>/ plus its regression inputs
# (Tests/Fuzz/regressions/<kind>/) until SECONDS have passed or RUNS executions are done, in
# libFuzzer's fork mode: a crash is recorded and the campaign goes on. New findings are copied to
# Tests/Fuzz/regressions/<kind>/, which the test suite replays (Tests/CLITests/FuzzRegressionTests.swift).
#
#   make fuzz                                 # 60 s per target
#   Validation/fuzz.sh 600                    # 10 minutes per target
#   Validation/fuzz.sh 86400 10000000         # a campaign: 10 million executions per target
#   FUZZ_TARGETS="results-merge csv" Validation/fuzz.sh 60
#
# LeakSanitizer is off: Foundation's FileManager.contents(atPath:) leaks its buffer for empty files
# (seen in swift 6.3.1), which is not ours to fix.
set -euo pipefail
seconds=${1:-60}
runs=${2:--1}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=.build/fuzz
mkdir -p "$out/cyaml"
swift package resolve >/dev/null
Y=.build/checkouts/Yams/Sources
AP=.build/checkouts/swift-argument-parser/Sources
flags=(-sanitize=fuzzer,address -parse-as-library -O -I "$out" -I Sources/CGSL -I "$Y/CYaml/include" -Xcc -DYAML_DECLARE_STATIC)
quiet() { grep -v "Cannot export" || true; }

# A library module, instrumented: out/NAME.swiftmodule and out/NAME.o (kept while newer than its
# sources and this script).
module() {
  local name=$1; shift
  if [ -f "$out/$name.o" ] && [ -z "$(find "$@" "$0" -newer "$out/$name.o" 2>/dev/null | head -1)" ]; then return; fi
  swiftc "${flags[@]}" -module-name "$name" -emit-module -emit-module-path "$out/$name.swiftmodule" -emit-object -wmo "$@" \
    -o "$out/$name.o" 2>&1 | quiet
}

echo "building the fuzz targets"
for f in "$Y"/CYaml/src/*.c; do
  clang -c -O1 -DYAML_DECLARE_STATIC -fsanitize=fuzzer-no-link,address -I "$Y/CYaml/include" -I "$Y/CYaml/src" "$f" -o "$out/cyaml/$(basename "$f" .c).o"
done
module Yams -D SWIFT_PACKAGE "$Y"/Yams/*.swift
for m in _Support GSL Physics Experiment Generator Likelihood Inference Studies Plotting; do
  module "$m" Sources/"$m"/*.swift
done
module ArgumentParserToolInfo "$AP"/ArgumentParserToolInfo/*.swift
mapfile -d '' apfiles < <(find "$AP/ArgumentParser" -name '*.swift' -print0)   # folder names have spaces
module ArgumentParser "${apfiles[@]}"
objs() { for m in "$@"; do echo "$out/$m.o"; done; }
link=(-lgsl -lgslcblas -lm)

swiftc "${flags[@]}" -module-name FuzzJSON Sources/Likelihood/*.swift Tests/Fuzz/WorkspaceJSON.swift -o "$out/workspace-json" 2>&1 | quiet
swiftc "${flags[@]}" -module-name FuzzCSV Sources/_Support/*.swift Tests/Fuzz/CSV.swift -o "$out/csv" 2>&1 | quiet
swiftc "${flags[@]}" -module-name FuzzYAML Sources/Experiment/*.swift Tests/Fuzz/ConfigYAML.swift \
  $(objs Yams _Support) "$out"/cyaml/*.o -o "$out/config-yaml" 2>&1 | quiet
swiftc "${flags[@]}" -module-name FuzzMerge Tests/Fuzz/ResultMerge.swift \
  $(objs Yams _Support GSL Physics Experiment Generator Likelihood Inference Studies) "$out"/cyaml/*.o "${link[@]}" \
  -o "$out/results-merge" 2>&1 | quiet
swiftc "${flags[@]}" -module-name FuzzPlot Tests/Fuzz/ResultPlot.swift $(objs _Support Plotting) -o "$out/results-plot" 2>&1 | quiet
swiftc "${flags[@]}" -module-name FuzzCouplings Tests/Fuzz/CouplingsInput.swift Sources/zptoys/CouplingsCommand.swift \
  Sources/zptoys/CommonOptions.swift Sources/zptoys/CLIError.swift \
  $(objs Yams _Support GSL Physics Experiment ArgumentParserToolInfo ArgumentParser) "$out"/cyaml/*.o "${link[@]}" \
  -o "$out/couplings-input" 2>&1 | quiet

status=0
targets=${FUZZ_TARGETS:-workspace-json config-yaml csv results-merge results-plot couplings-input}
for bin in $targets; do
  case $bin in
    workspace-json) kind=json ;; config-yaml) kind=yaml ;; csv) kind=csv ;;
    results-merge) kind=results ;; results-plot) kind=results ;; couplings-input) kind=couplings ;;
    *) echo "fuzz: unknown target $bin"; exit 2 ;;
  esac
  [ -x "$out/$bin" ] || { echo "fuzz $bin: the target did not build"; status=1; continue; }
  corpus="$out/corpus-$bin"; findings="$out/findings-$bin"
  mkdir -p "$corpus" "$findings"
  cp -n Tests/Fuzz/corpus/"$kind"/* "$corpus"/ 2>/dev/null || true
  cp -n Tests/Fuzz/regressions/"$kind"/* "$corpus"/ 2>/dev/null || true
  log="$out/$bin.log"
  t0=$(date +%s)
  ASAN_OPTIONS=detect_leaks=0 "$out/$bin" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -max_total_time="$seconds" -runs="$runs" -rss_limit_mb=4096 -max_len=65536 -timeout=30 \
    -artifact_prefix="$findings/" "$corpus" > "$log" 2>&1 || true
  # Fork mode prints "#N ... exec/s" status lines; the last one has the total.
  done_runs=$(grep -Eo '^#[0-9]+' "$log" | tail -1 | tr -d '#' || echo 0)
  found=$(find "$findings" -type f | wc -l)
  echo "fuzz $bin: ${done_runs:-0} executions in $(( $(date +%s) - t0 )) s, $found findings (log $log)"
  if [ "$found" -gt 0 ]; then
    status=1
    mkdir -p "Tests/Fuzz/regressions/$kind"
    cp "$findings"/* "Tests/Fuzz/regressions/$kind/"
    grep -E "ERROR|SUMMARY|Fatal error|runtime failure" "$log" | sort | uniq -c | head -10
  fi
done
exit $status
