# Berth — build, test, demo and benchmark entry points.
# `make demo` and `make test` work on a fresh Debian machine: they install what is missing.

SWIFT        ?= swift
CONFIG       ?= release
BUILD_FLAGS  := -c $(CONFIG) --static-swift-stdlib
BERTH        := $(CURDIR)/.build/$(CONFIG)/berth
# Debian packages the build, the tests and the demo need.
DEB_PACKAGES := libsqlite3-dev libnftables1 nftables iproute2 iputils-ping jq python3 util-linux procps gcc

.PHONY: all deps build test unit-test integration-test demo bench clean

all: build

deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

build: deps
	$(SWIFT) build $(BUILD_FLAGS) --product berth

# Unit tests need no root; integration tests create throwaway namespaces and need root.
test: unit-test integration-test

unit-test: deps
	$(SWIFT) test

integration-test: build
	BERTH=$(BERTH) bash tests/integration/run.sh

demo: build
	BERTH=$(BERTH) bash scripts/demo.sh

bench: build
	@command -v cc >/dev/null || (apt-get update -qq && apt-get install -y -qq gcc >/dev/null)
	BERTH=$(BERTH) bash bench/run.sh

clean:
	rm -rf .build
