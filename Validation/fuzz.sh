#!/usr/bin/env bash
# Fuzzes the readers with libFuzzer (swiftc -sanitize=fuzzer,address): the pyhf workspace JSON
# reader (+ model building and a fit), the experiment configuration YAML reader (+ mass grid) and
# the CSV reader behind event and histogram files. Each runs for SECONDS (default 60) from the
# seed corpus in Tests/Fuzz/corpus/; findings are copied to Tests/Fuzz/regressions/<target>/,
# which the test suite replays (Tests/CLITests/FuzzRegressionTests.swift).
#
#   make fuzz                 # 60 s per target
#   Validation/fuzz.sh 600    # 10 minutes per target
#
# LeakSanitizer is off: Foundation's FileManager.contents(atPath:) leaks its buffer for empty files
# (seen in swift 6.3.1), which is not ours to fix.
set -euo pipefail
seconds=${1:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=.build/fuzz
mkdir -p "$out/cyaml"
swift package resolve >/dev/null
Y=.build/checkouts/Yams/Sources
flags=(-sanitize=fuzzer,address -parse-as-library -O)

echo "building the fuzz targets"
swiftc "${flags[@]}" -module-name FuzzJSON Sources/Likelihood/*.swift Tests/Fuzz/WorkspaceJSON.swift -o "$out/workspace-json" 2>&1 | grep -v "Cannot export" || true
swiftc "${flags[@]}" -module-name FuzzCSV Sources/_Support/*.swift Tests/Fuzz/CSV.swift -o "$out/csv" 2>&1 | grep -v "Cannot export" || true
for f in "$Y"/CYaml/src/*.c; do
  clang -c -O1 -DYAML_DECLARE_STATIC -fsanitize=fuzzer-no-link,address -I "$Y/CYaml/include" -I "$Y/CYaml/src" "$f" -o "$out/cyaml/$(basename "$f" .c).o"
done
swiftc "${flags[@]}" -module-name Yams -D SWIFT_PACKAGE -emit-module -emit-module-path "$out/Yams.swiftmodule" -emit-object -wmo \
  -I "$Y/CYaml/include" -Xcc -DYAML_DECLARE_STATIC "$Y"/Yams/*.swift -o "$out/yams.o"
swiftc "${flags[@]}" -module-name FuzzYAML -I "$out" -I "$Y/CYaml/include" -Xcc -DYAML_DECLARE_STATIC Sources/Experiment/*.swift \
  Tests/Fuzz/ConfigYAML.swift "$out/yams.o" "$out"/cyaml/*.o -o "$out/config-yaml" 2>&1 | grep -v "Cannot export" || true

status=0
for t in workspace-json:json config-yaml:yaml csv:csv; do
  bin=${t%%:*}; kind=${t##*:}
  corpus="$out/corpus-$kind"; findings="$out/findings-$kind"
  mkdir -p "$corpus" "$findings"
  cp -n Tests/Fuzz/corpus/"$kind"/* "$corpus"/ 2>/dev/null || true
  log="$out/$bin.log"
  ASAN_OPTIONS=detect_leaks=0 "$out/$bin" -max_total_time="$seconds" -rss_limit_mb=4096 -max_len=65536 \
    -artifact_prefix="$findings/" "$corpus" > "$log" 2>&1 || true
  runs=$(grep -Eo 'Done [0-9]+ runs' "$log" | tail -1 | grep -Eo '[0-9]+' || echo 0)
  found=$(ls "$findings" | wc -l)
  echo "fuzz $bin: $runs executions in ${seconds} s, $found findings"
  if [ "$found" -gt 0 ]; then
    status=1
    mkdir -p "Tests/Fuzz/regressions/$kind"
    cp "$findings"/* "Tests/Fuzz/regressions/$kind/"
    grep -E "ERROR|SUMMARY" "$log" | head -5
  fi
done
exit $status
