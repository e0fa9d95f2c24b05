# CementReport — the two commands a newcomer needs are `make report` and `make test`.
SHELL := /bin/bash
export PATH := $(PATH):/opt/swift/usr/bin

SWIFT ?= swift
RELEASE_FLAGS := -c release --scratch-path .build-release
RELEASE_BIN := .build-release/release

.PHONY: all deps build release test report bench validate tune fuzz slurm-test clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build $(RELEASE_FLAGS)

# Tests run optimised (phantom rendering and segmentation are 10-20x slower in debug), with @testable enabled.
TEST_FLAGS := -c release --scratch-path .build-test -Xswiftc -enable-testing

test: deps
	$(SWIFT) build --build-tests $(TEST_FLAGS)
	$(SWIFT) test --skip-build --disable-swift-testing $(TEST_FLAGS)

# The study report from the bundled synthetic cohort, in English and Chinese, HTML and PDF: one synthetic CT per
# patient is generated into .cache/ct (reused on later runs) and measured by the rate engine first. --check fails
# the render where a printed number does not print as the paper's; every figure goes into figures/ (and figures/zh/)
# as 300 dpi PNG and vector PDF.
report: deps release
	$(RELEASE_BIN)/cement study-ct --cohort data/cohort.csv --cache .cache/ct --measurements .cache/measurements --out report/out/cohort-with-engine.csv
	$(RELEASE_BIN)/cement render report/study.en.md --out report/out --check --figures figures --allow-path data --allow-path .cache/ct --allow-path .cache/measurements
	$(RELEASE_BIN)/cement render report/study.zh.md --out report/out --check --figures figures/zh --allow-path data --allow-path .cache/ct --allow-path .cache/measurements

bench: deps release
	@scripts/bench.sh

# Rate-engine accuracy on the validation set: 120 domain-randomised phantoms, seeds 31000–31119, fixed before any
# engine change and never tuned on (generated into .cache on first use); the table per slice-thickness band and per
# realism factor, and a CSV per case.
validate: deps release
	@$(RELEASE_BIN)/cement-bench validate .cache/validate-world --count 120 --seed 31000
	@scripts/slurm-test.sh $(RELEASE_BIN)/cement

# The same on the tuning set (seeds 30000–30199), the one to develop the engine on.
tune: deps release
	@$(RELEASE_BIN)/cement-bench validate .cache/tune-world --count 200 --seed 30000

# libFuzzer on the DICOM, NIfTI and template readers, FUZZ_SECONDS (default 60) each; crash inputs in .cache/fuzz.
fuzz: deps
	@scripts/fuzz.sh

# Batch measurement on a real single-node Slurm cluster (loopback, started and stopped by the script; about a
# minute): 40 phantoms in 8 array tasks, one task killed and resumed, the merge identical to one run. Opt-in.
slurm-test: deps release
	@scripts/slurm-test.sh $(RELEASE_BIN)/cement

clean:
	rm -rf .build .build-release .build-test .build-fuzz
