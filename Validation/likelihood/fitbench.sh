#!/bin/sh
# Builds Validation/likelihood/fitbench/main.swift with the Likelihood sources into $OUT
# (default /tmp/fitbench): fit timing and callgrind instruction counts without SwiftPM.
#   Validation/likelihood/fitbench.sh && /tmp/fitbench time reference w.json
#   valgrind --tool=callgrind /tmp/fitbench count w.json --kind free --fits 1000
set -e
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/fitbench}
swiftc -O -wmo -g -module-name Likelihood -o "$OUT" Sources/Likelihood/*.swift Validation/likelihood/fitbench/main.swift
