#!/usr/bin/env bash
# A seeded coverage check of an analysis configuration, for a CI job in the analysis' own
# repository (toys/ci/README.md): builds zptoys (unless $ZPTOYS names a binary), runs
# `zptoys coverage` on the configuration with a pass condition, and leaves a JUnit XML report
# that GitLab, GitHub and Jenkins show test by test. Exits non-zero when the check fails.
#
# Settings (environment variables, all optional):
#   CONFIG        the experiment configuration (YAML)                 default: zptoys.yaml
#   MASSES        masses in GeV, comma-separated                      default: 0.5,2.352
#   SIGNALS       true cross sections in fb, comma-separated          default: 0,2
#   TOYS          pseudo-experiments per point                        default: 200
#   RULES         interval rules among cls, clsb, fc                  default: fc
#   REQUIRE       covers or no-undercoverage                          default: no-undercoverage
#   SEED          the seed (a fixed seed makes the check reproducible) default: 1
#   EXTRA         further zptoys options (e.g. "--input mumu=mumu.root:hist")
#   JUNIT         the report                                          default: coverage-junit.xml
#   OUT           the coverage result file                            default: coverage.json
#   ZPTOYS        a zptoys binary; else ZPrimeToys is built from ZPTOYS_REPO at ZPTOYS_REF
#   ZPTOYS_REPO   git URL of ZPrimeToys (needed when ZPTOYS is not set)
#   ZPTOYS_REF    branch or tag                                       default: main
set -euo pipefail

CONFIG=${CONFIG:-zptoys.yaml}
MASSES=${MASSES:-0.5,2.352}
SIGNALS=${SIGNALS:-0,2}
TOYS=${TOYS:-200}
RULES=${RULES:-fc}
REQUIRE=${REQUIRE:-no-undercoverage}
SEED=${SEED:-1}
JUNIT=${JUNIT:-coverage-junit.xml}
OUT=${OUT:-coverage.json}

if [ -z "${ZPTOYS:-}" ]; then
  : "${ZPTOYS_REPO:?set ZPTOYS to a zptoys binary, or ZPTOYS_REPO to the git URL of ZPrimeToys}"
  src=$(mktemp -d)
  git clone --depth 1 --branch "${ZPTOYS_REF:-main}" "$ZPTOYS_REPO" "$src/ZPrimeToys"
  make -C "$src/ZPrimeToys" deps
  (cd "$src/ZPrimeToys" && swift build -c release --product zptoys)
  ZPTOYS="$src/ZPrimeToys/.build/release/zptoys"
fi

"$ZPTOYS" config check "$CONFIG"
# shellcheck disable=SC2086  # EXTRA is a list of options
"$ZPTOYS" coverage --config "$CONFIG" --seed "$SEED" --mass "$MASSES" --signal "$SIGNALS" --toys "$TOYS" \
  --rule "$RULES" --require "$REQUIRE" --junit "$JUNIT" --out "$OUT" --restart --no-progress ${EXTRA:-}
