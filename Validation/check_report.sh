#!/usr/bin/env bash
# Renders the report of a quick end-to-end run in headless Chromium and checks that every plot
# appears: the number of <svg> elements in Chromium's DOM equals the number of plots the report
# links, every plot file is there, and the screenshot is not blank. The screenshot is kept as
# Validation/report-screenshot.png.
#
#   Validation/check_report.sh                 # builds the release binary, runs `zptoys run --quick`
#   ZPTOYS=path/to/zptoys Validation/check_report.sh
#   RESULTS=folder Validation/check_report.sh  # check an existing results folder instead of running
#
# Installs chromium (and librsvg2-bin for the PNGs, fonts-dejavu-core for the text) through
# apt-get when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v rsvg-convert >/dev/null 2>&1 || missing+=(librsvg2-bin)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

ZPTOYS=${ZPTOYS:-}
if [ -z "$ZPTOYS" ]; then
  swift build -c release --product zptoys >/dev/null
  ZPTOYS=.build/release/zptoys
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -n "${RESULTS:-}" ]; then
  results=$RESULTS
  "$ZPTOYS" report --dir "$results"
else
  results=$work/results
  "$ZPTOYS" run --quick --out-dir "$results" >"$work/run.log" 2>&1 || { tail -30 "$work/run.log"; exit 1; }
fi
report=$results/report.html
[ -s "$report" ] || { echo "FAIL: no $report"; exit 1; }

chrome=(chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars
        --user-data-dir="$work/profile" --virtual-time-budget=10000)

# Every plot in the DOM: one <svg> per figure the report links as SVG.
expected=$(grep -o '<a href="[^"]*\.svg">SVG</a>' "$report" | wc -l)
timeout 120 "${chrome[@]}" --dump-dom "file://$(realpath "$report")" >"$work/dom.html" 2>/dev/null
found=$(grep -o '<svg ' "$work/dom.html" | wc -l)
echo "plots linked: $expected, <svg> elements in Chromium's DOM: $found"
[ "$expected" -ge 9 ] || { echo "FAIL: expected at least 9 plots (brazil, 2 couplings, scan, lee, lee survival, coverage, grid, spectrum, map)"; exit 1; }
[ "$found" -eq "$expected" ] || { echo "FAIL: Chromium shows $found SVG plots, the report links $expected"; exit 1; }
for f in $(grep -o '<a href="[^"]*\.svg">SVG</a>' "$report" | sed 's/<a href="\([^"]*\)".*/\1/'); do
  [ -s "$results/$f" ] || { echo "FAIL: $f is linked but missing"; exit 1; }
done

# A full-page screenshot (a window taller than the page, at ¾ scale to keep the file small), not
# blank: a PNG of many colours and some size.
timeout 120 "${chrome[@]}" --window-size=1240,11500 --force-device-scale-factor=0.75 --screenshot="$work/shot.png" \
  "file://$(realpath "$report")" >/dev/null 2>&1
size=$(stat -c %s "$work/shot.png")
python3 - "$work/shot.png" <<'EOF'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", data[16:24])
# Decode the IDAT stream and count distinct byte values per row as a cheap "not blank" check.
pos, idat = 8, b""
while pos < len(data):
    n = struct.unpack(">I", data[pos:pos+4])[0]; kind = data[pos+4:pos+8]
    if kind == b"IDAT": idat += data[pos+8:pos+8+n]
    pos += 12 + n
raw = zlib.decompress(idat)
distinct = len(set(raw[::97]))
print(f"screenshot {w}x{h}, {distinct} distinct sampled byte values")
assert w >= 900 and h >= 2000, "screenshot too small"
assert distinct > 40, "screenshot looks blank"
EOF
cp "$work/shot.png" Validation/report-screenshot.png
echo "OK: every plot renders; screenshot ($size bytes) in Validation/report-screenshot.png"
