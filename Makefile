# ZPrimeToys — every target installs what is missing first (`make deps`).
SWIFT      ?= swift
RELEASE    := .build/release/zptoys
VENV       := Validation/.venv
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# The release build's target CPU (swiftc -target-cpu) and the batched fitter's lanes (data sets
# per SIMD vector), chosen from the building machine's CPU (the binary is for the machine that
# builds it, as CI builds its own): with AVX-512 (x86-64-v4: every Intel Xeon since Skylake-SP,
# AMD Zen 4/5) skylake-avx512 and 8 lanes per register; with AVX2/FMA (x86-64-v3) haswell and 4
# lanes; otherwise baseline x86-64 (SSE2; correct everywhere, slower). Override for a portable
# binary, e.g. `make release TARGET_CPU=haswell LANES=4`, or TARGET_CPU= for baseline.
# valgrind 3.19 does not decode AVX-512: count instructions on a TARGET_CPU=znver2 LANES=4 build.
# Debug builds (`swift build`, `swift test`) always use the baseline and 4 lanes.
CPU_FLAGS  := $(shell grep -m1 '^flags' /proc/cpuinfo 2>/dev/null)
TARGET_CPU ?= $(if $(findstring avx512f,$(CPU_FLAGS)),$(if $(findstring avx512vl,$(CPU_FLAGS)),skylake-avx512,haswell),$(if $(findstring avx2,$(CPU_FLAGS)),$(if $(findstring fma,$(CPU_FLAGS)),haswell,),))
LANES      ?= $(if $(filter skylake-avx512,$(TARGET_CPU)),8,4)
RELEASE_FLAGS := $(if $(TARGET_CPU),-Xswiftc -target-cpu -Xswiftc $(TARGET_CPU)) $(if $(filter 8,$(LANES)),-Xswiftc -DLANES8)

.PHONY: all deps build release test run quick bench validate clean help slurm-test embed-config interrupt-test fuzz sanitize

all: build

help:
	@echo "make run       the default end-to-end study into results/"
	@echo "make test      build and run the test suite"
	@echo "make bench     the benchmark suite (figures and ratios from one run)"
	@echo "make validate  cross-checks against pyhf (own virtual environment in $(VENV))"
	@echo "make deps      install missing system packages (libgsl-dev, pkg-config)"

# GSL through pkg-config; installed from Debian when missing.
deps:
	@if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists gsl; then \
	  echo "installing libgsl-dev and pkg-config"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq libgsl-dev pkg-config; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product zptoys $(RELEASE_FLAGS)

test: deps
	$(SWIFT) build
	$(SWIFT) test

run: release
	$(RELEASE) run

quick: release
	$(RELEASE) run --quick

# The pyhf and numba-peer figures need Validation/.venv (made here when pip can reach PyPI; without
# it the bench prints "not measured: …" and the command to run).
bench: release
	@$(MAKE) --no-print-directory $(VENV)/.ready || echo "bench: could not make $(VENV): the pyhf and numba peer figures will be 'not measured'"
	$(RELEASE) bench

$(VENV)/.ready: Validation/requirements.txt
	test -x $(VENV)/bin/python || python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r Validation/requirements.txt
	touch $@

validate: release $(VENV)/.ready
	PATH="$(CURDIR)/.build/release:$$PATH" $(VENV)/bin/python Validation/validate.py

clean:
	rm -rf .build results

# The embedded default configuration is generated from toys/belle2-2019-2020.yaml, the embedded
# ROOT converter from toys/root_input.py.
embed-config:
	python3 Validation/embed_config.py

# The Slurm job-array recipe on a real single-node cluster (needs root: starts munge and Slurm).
slurm-test: release
	ZPTOYS=$(CURDIR)/$(RELEASE) Validation/slurm_test.sh

# kill -9 a study at random moments (--resume must reproduce the uninterrupted result), and a
# full disk (a clear error; the previous file intact). Needs root (tmpfs mount).
interrupt-test: release
	ZPTOYS=$(CURDIR)/$(RELEASE) Validation/kill_resume_test.sh
	ZPTOYS=$(CURDIR)/$(RELEASE) Validation/full_disk_test.sh

# libFuzzer on the JSON, YAML and CSV readers (60 s each; Validation/fuzz.sh SECONDS for longer).
fuzz: deps
	Validation/fuzz.sh 60

# The test suite under AddressSanitizer and ThreadSanitizer (separate build folders). Leak
# detection is off: XCTest's runner and Foundation's FileManager.contents(atPath:) leak (Swift 6.3.1).
sanitize: deps
	ASAN_OPTIONS=detect_leaks=0 $(SWIFT) test --sanitize=address --scratch-path .build-asan
	$(SWIFT) test --sanitize=thread --scratch-path .build-tsan
