# CementReport — the two commands a newcomer needs are `make report` and `make test`.
SHELL := /bin/bash
export PATH := $(PATH):/opt/swift/usr/bin

SWIFT ?= swift
# The Swift runtime and Foundation are linked in, so an installed `cement` runs without /opt/swift (it needs only
# the Debian libraries of scripts/install-deps.sh).
RELEASE_FLAGS := -c release --scratch-path .build-release --static-swift-stdlib
RELEASE_BIN := .build-release/release

.PHONY: all deps build release test report bench validate tune fuzz slurm-test audit-demo clean install install-built uninstall

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

# Rate-engine accuracy on the validation set: 120 domain-randomised phantoms, seeds 32000–32119, fixed on
# 2026-12-03 before the engine changes of that day and measured only once a change is finished, never used to choose
# one (generated into .cache on first use); the table per slice-thickness band and per realism factor, and a CSV per
# case. Seeds 31000–31119 (the validation set until then) became a tuning set.
validate: deps release
	@$(RELEASE_BIN)/cement-bench validate .cache/validate-world-32000 --count 120 --seed 32000
	@scripts/slurm-test.sh $(RELEASE_BIN)/cement

# The same on the tuning sets (seeds 30000–30199 and the former validation set 31000–31119), the ones to develop
# the engine on.
tune: deps release
	@$(RELEASE_BIN)/cement-bench validate .cache/tune-world --count 200 --seed 30000
	@$(RELEASE_BIN)/cement-bench validate .cache/validate-world --count 120 --seed 31000

# libFuzzer on the DICOM, NIfTI and template readers, FUZZ_SECONDS (default 60) each; crash inputs in .cache/fuzz.
fuzz: deps
	@scripts/fuzz.sh

# Batch measurement on a real single-node Slurm cluster (loopback, started and stopped by the script; about a
# minute): 40 phantoms in 8 array tasks, one task killed and resumed, the merge identical to one run. Opt-in.
slurm-test: deps release
	@scripts/slurm-test.sh $(RELEASE_BIN)/cement

# The department audit on a synthetic demo department (four quarters of small phantom CTs, a manifest and a
# follow-up CSV, generated into .cache/audit-demo on first use): ingest, follow-up import, case list, and the
# audit of the last quarter in English and Chinese (report/out/audit.*.html and .pdf).
AUDIT_DEMO := .cache/audit-demo
audit-demo: deps release
	$(RELEASE_BIN)/cement audit demo $(AUDIT_DEMO) --per-quarter 5 --year 2026
	$(RELEASE_BIN)/cement audit ingest $(AUDIT_DEMO)/manifest.csv --registry $(AUDIT_DEMO)/registry.sqlite --time-zone Asia/Shanghai
	$(RELEASE_BIN)/cement audit import-followup $(AUDIT_DEMO)/followup.csv --registry $(AUDIT_DEMO)/registry.sqlite
	$(RELEASE_BIN)/cement audit cases --registry $(AUDIT_DEMO)/registry.sqlite
	$(RELEASE_BIN)/cement audit report --period 2026-Q4 --time-zone Asia/Shanghai --registry $(AUDIT_DEMO)/registry.sqlite --out report/out
	$(RELEASE_BIN)/cement audit report --period 2026-Q4 --time-zone Asia/Shanghai --registry $(AUDIT_DEMO)/registry.sqlite --template report/audit.zh.md --out report/out
# `cement` into PREFIX/bin and what it reads (the synthetic study's data, its report templates and figure specs,
# the `cement init` project) into PREFIX/share/cementreport, where the installed binary finds them. Fonts come
# from Debian's packages (scripts/install-deps.sh). install-built installs an existing build (BIN) without building.
PREFIX ?= /usr/local
BIN ?= $(RELEASE_BIN)
SHARE_DIR = $(DESTDIR)$(PREFIX)/share/cementreport

install: release
	@$(MAKE) --no-print-directory install-built BIN=$(RELEASE_BIN) PREFIX=$(PREFIX)

install-built:
	install -d $(DESTDIR)$(PREFIX)/bin $(SHARE_DIR)/data/ct/demo-high-dr $(SHARE_DIR)/report/figures $(SHARE_DIR)/templates/own-study
	install -m 755 $(BIN)/cement $(DESTDIR)$(PREFIX)/bin/cement
	install -m 644 data/README.md data/published.json data/codebook.csv data/cohort.csv data/ct-phantoms.csv $(SHARE_DIR)/data/
	install -m 644 report/*.md $(SHARE_DIR)/report/
	install -m 644 data/ct/demo-high-dr/* $(SHARE_DIR)/data/ct/demo-high-dr/
	install -m 644 report/figures/*.json $(SHARE_DIR)/report/figures/
	install -m 644 templates/own-study/* $(SHARE_DIR)/templates/own-study/
	@echo "installed $(DESTDIR)$(PREFIX)/bin/cement and $(SHARE_DIR)"

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/cement
	rm -rf $(SHARE_DIR)

clean:
	rm -rf .build .build-release .build-test .build-fuzz
