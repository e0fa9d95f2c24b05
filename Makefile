# CementReport — the two commands a newcomer needs are `make report` and `make test`.
SHELL := /bin/bash
export PATH := $(PATH):/opt/swift/usr/bin

SWIFT ?= swift
RELEASE_FLAGS := -c release --scratch-path .build-release
RELEASE_BIN := .build-release/release

.PHONY: all deps build release test report bench validate clean

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
# patient is generated into .cache/ct (reused on later runs) and measured by the rate engine first.
report: deps release
	$(RELEASE_BIN)/cement study-ct --cohort data/cohort.csv --cache .cache/ct --measurements .cache/measurements --out report/out/cohort-with-engine.csv
	$(RELEASE_BIN)/cement render report/study.en.md --out report/out
	$(RELEASE_BIN)/cement render report/study.zh.md --out report/out
	@mkdir -p figures
	@for spec in report/figures/*.json; do \
	  name=$$(basename $$spec .json); \
	  $(RELEASE_BIN)/cement figure $$spec --data data/cohort.csv --out figures/$$name.svg; \
	  $(RELEASE_BIN)/cement figure $$spec --data data/cohort.csv --out figures/$$name.png; \
	done

bench: deps release
	@scripts/bench.sh

# Rate-engine accuracy on 40 phantoms with seeds fixed before tuning (generated into .cache on first use).
validate: deps release
	@$(RELEASE_BIN)/cement-bench validate .cache/validate --count 40 --seed 9000

clean:
	rm -rf .build .build-release .build-test
