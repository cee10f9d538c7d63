# Berth — build, test, demo and benchmark entry points.
# `make demo` and `make test` work on a fresh Debian machine: they install what is missing.

SWIFT        ?= swift
CONFIG       ?= release
BUILD_FLAGS  := -c $(CONFIG) --static-swift-stdlib --disable-local-rpath
BERTH        := $(CURDIR)/.build/$(CONFIG)/berth
# Debian packages the build, the tests and the demo need. docker.io is for test_docker.sh, which
# runs its own dockerd confined to a test namespace: installing starts no service (policy-rc.d
# denies it for the duration) and leaves none enabled for the next boot, so the machine's own
# firewall never meets Docker.
# bind9-dnsutils (dig) is for test_dns.sh; dnsperf, dnsmasq-base (the binary without the dnsmasq
# service) and aardvark-dns are what bench/dns.sh measures berth-dns against.
# etcd-server and etcd-client are the shared store of overlay networks (test_overlay.sh runs its own
# etcd in a test namespace; installing starts no service, as for docker.io); iperf3 is for bench/overlay.sh.
DEB_PACKAGES := libsqlite3-dev sqlite3 libnftables1 nftables iproute2 iputils-ping jq python3 util-linux procps gcc \
                podman runc busybox-static iptables docker.io bind9-dnsutils dnsperf dnsmasq-base aardvark-dns netavark \
                etcd-server etcd-client iperf3

# Where `make install` puts things (DESTDIR is prepended to every path, for staging and packages).
PREFIX         ?= /usr/local
BINDIR         ?= $(PREFIX)/bin
MANDIR         ?= $(PREFIX)/share/man
BASHCOMPDIR    ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR     ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR    ?= $(PREFIX)/share/fish/vendor_completions.d
# Where container runtimes look for CNI plugins; berth is linked there under its plugin name.
CNI_PLUGIN_DIR ?= /opt/cni/bin
# Podman's helper_binaries_dir for Berth: berth is linked there as `netavark` (docs/podman.md).
NETAVARK_DIR   ?= $(PREFIX)/lib/berth
# Shell completions and the man page, generated from the built binary by `make` (not as root).
GEN_DIR        ?= $(CURDIR)/.build/$(CONFIG)/share
GENERATE_MANUAL ?= $(CURDIR)/.build/$(CONFIG)/generate-manual
GENERATED      := $(GEN_DIR)/berth.bash $(GEN_DIR)/_berth $(GEN_DIR)/berth.fish $(GEN_DIR)/berth.1
# Every path install creates, without DESTDIR; uninstall removes exactly these.
INSTALLED      := $(BINDIR)/berth $(BINDIR)/berth-dns $(BINDIR)/berth-agent $(CNI_PLUGIN_DIR)/berth $(NETAVARK_DIR)/netavark $(MANDIR)/man1/berth.1 \
                  $(BASHCOMPDIR)/berth $(ZSHCOMPDIR)/_berth $(FISHCOMPDIR)/berth.fish

.PHONY: all deps build docs install uninstall test unit-test integration-test fuzz-build fuzz-smoke fuzz demo bench clean

all: build docs

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
	  case " $$missing " in *" docker.io "*) \
	    systemctl disable docker.service docker.socket containerd.service >/dev/null 2>&1 || true ;; \
	  esac; \
	  case " $$missing " in *" etcd-server "*) \
	    systemctl disable etcd.service >/dev/null 2>&1 || true ;; \
	  esac; \
	  exit $$rc; \
	fi

build: deps
	$(SWIFT) build $(BUILD_FLAGS) --product berth
	$(SWIFT) build $(BUILD_FLAGS) --product berth-dns
	$(SWIFT) build $(BUILD_FLAGS) --product berth-agent

# Completions and the man page, from swift-argument-parser: `--generate-completion-script`, and
# its generate-manual tool (built from the package's own checkout, so it works offline).
docs: $(GENERATED)

$(GEN_DIR)/berth.bash: $(BERTH)
	@mkdir -p $(GEN_DIR)
	$(BERTH) --generate-completion-script bash >$@.tmp && mv $@.tmp $@
$(GEN_DIR)/_berth: $(BERTH)
	@mkdir -p $(GEN_DIR)
	$(BERTH) --generate-completion-script zsh >$@.tmp && mv $@.tmp $@
$(GEN_DIR)/berth.fish: $(BERTH)
	@mkdir -p $(GEN_DIR)
	$(BERTH) --generate-completion-script fish >$@.tmp && mv $@.tmp $@
# Dated by the last commit, so the page does not change with every build.
$(GEN_DIR)/berth.1: $(BERTH) | $(GENERATE_MANUAL)
	@mkdir -p $(GEN_DIR)
	date=$$(git -C $(CURDIR) log -1 --format=%cs 2>/dev/null); \
	  $(GENERATE_MANUAL) $(BERTH) $${date:+--date $$date} --output-directory $(GEN_DIR)

$(GENERATE_MANUAL):
	$(SWIFT) build $(BUILD_FLAGS) --product generate-manual

# Built only when missing: `sudo make install` after `make` compiles nothing.
$(BERTH):
	$(MAKE) build

# The binary, its CNI plugin link (relative, so it also resolves inside DESTDIR), completions
# for bash, zsh and fish, and the man page.
install: $(BERTH) $(GENERATED)
	install -D -m 0755 $(BERTH) $(DESTDIR)$(BINDIR)/berth
	install -D -m 0755 $(BERTH)-dns $(DESTDIR)$(BINDIR)/berth-dns
	install -D -m 0755 $(BERTH)-agent $(DESTDIR)$(BINDIR)/berth-agent
	install -d $(DESTDIR)$(CNI_PLUGIN_DIR)
	ln -sfn $$(realpath -m --relative-to=$(CNI_PLUGIN_DIR) $(BINDIR)/berth) $(DESTDIR)$(CNI_PLUGIN_DIR)/berth
	install -d $(DESTDIR)$(NETAVARK_DIR)
	ln -sfn $$(realpath -m --relative-to=$(NETAVARK_DIR) $(BINDIR)/berth) $(DESTDIR)$(NETAVARK_DIR)/netavark
	install -D -m 0644 $(GEN_DIR)/berth.1 $(DESTDIR)$(MANDIR)/man1/berth.1
	install -D -m 0644 $(GEN_DIR)/berth.bash $(DESTDIR)$(BASHCOMPDIR)/berth
	install -D -m 0644 $(GEN_DIR)/_berth $(DESTDIR)$(ZSHCOMPDIR)/_berth
	install -D -m 0644 $(GEN_DIR)/berth.fish $(DESTDIR)$(FISHCOMPDIR)/berth.fish

# Removes exactly what install put (directories stay: they may hold other software's files).
uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))

# Unit tests need no root; integration tests create throwaway namespaces and need root.
test: unit-test integration-test fuzz-smoke

unit-test: deps
	$(SWIFT) test

integration-test: build $(GENERATE_MANUAL)
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
