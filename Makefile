# Berth — build, test, demo and benchmark entry points.
# `make demo` and `make test` work on a fresh Debian machine: they install what is missing.

SWIFT        ?= swift
CONFIG       ?= release
BUILD_FLAGS  := -c $(CONFIG) --static-swift-stdlib --disable-local-rpath
BERTH        := $(CURDIR)/.build/$(CONFIG)/berth
# Debian packages the build, the tests and the demo need. docker.io is for test_docker.sh, which
# runs its own dockerd confined to a test namespace: installing starts no service (policy-rc.d
# denies it for the duration), so the machine's own firewall never meets Docker.
DEB_PACKAGES := libsqlite3-dev sqlite3 libnftables1 nftables iproute2 iputils-ping jq python3 util-linux procps gcc \
                podman runc busybox-static iptables docker.io

.PHONY: all deps build test unit-test integration-test fuzz-build fuzz-smoke fuzz demo bench clean

all: build

deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  blocked=""; \
	  if [ ! -e /usr/sbin/policy-rc.d ]; then \
	    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 0755 /usr/sbin/policy-rc.d && blocked=1; \
	  fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; rc=$$?; \
	  if [ -n "$$blocked" ]; then rm -f /usr/sbin/policy-rc.d; fi; \
	  exit $$rc; \
	fi

build: deps
	$(SWIFT) build $(BUILD_FLAGS) --product berth

# Unit tests need no root; integration tests create throwaway namespaces and need root.
test: unit-test integration-test fuzz-smoke

unit-test: deps
	$(SWIFT) test

integration-test: build
	BERTH=$(BERTH) bash tests/integration/run.sh

# libFuzzer over the netlink decoder and the CNI config parser (Fuzz/ is its own package).
fuzz-build: deps
	cd Fuzz && $(SWIFT) build --scratch-path ../.build-fuzz -Xswiftc -sanitize=fuzzer,address

# A bounded run, part of `make test`.
fuzz-smoke: fuzz-build
	bash scripts/fuzz.sh $${FUZZ_SMOKE_SECONDS:-20}

# A long run: FUZZ_SECONDS=3600 make fuzz
fuzz: fuzz-build
	bash scripts/fuzz.sh $${FUZZ_SECONDS:-600}

demo: build
	BERTH=$(BERTH) bash scripts/demo.sh

# Side by side with CNI bridge/host-local/portmap, netavark and a raw netlink floor (installs the
# peers from Debian if missing). Builds berth only when there is no binary yet.
# BENCH_FULL=1 for more samples; bench/run.sh alone measures Berth by itself.
bench:
	@[ -x "$(BERTH)" ] || $(MAKE) build
	BERTH=$(BERTH) bash bench/compare.sh

clean:
	rm -rf .build .build-fuzz
