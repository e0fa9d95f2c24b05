# CementReport — the two commands a newcomer needs are `make report` and `make test`.
SHELL := /bin/bash
export PATH := $(PATH):/opt/swift/usr/bin

SWIFT ?= swift
RELEASE_FLAGS := -c release --scratch-path .build-release

.PHONY: all deps build release test report bench validate clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build $(RELEASE_FLAGS)

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-swift-testing

report: deps release
	@echo "The study report pipeline (rate engine, statistics, figures, report rendering) is not built yet:" >&2
	@echo "see the open issues. 'make report' builds the tool and stops here rather than fake a report." >&2
	@exit 2

bench: deps release
	@scripts/bench.sh

validate: deps release
	@echo "No validation suite yet: it arrives with the rate engine." >&2
	@exit 2

clean:
	rm -rf .build .build-release
