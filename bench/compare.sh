#!/usr/bin/env bash
# Berth side by side with the peers: CNI bridge + host-local (+ portmap), netavark, and a raw
# netlink floor. Every operation is timed as a runtime pays it — whole processes, fork and exec
# included (bench/timeops.c) — inside a throwaway host network namespace with no route out, tools
# alternating run by run so drift hits all alike. Report ratios: absolute times drift on shared
# machines.
#
#   make bench                     # quick: a few minutes on 2 cores
#   BENCH_FULL=1 make bench        # more samples
#   BERTH=path/to/berth bash bench/compare.sh
#   knobs: BENCH_N (attach/detach samples per tool), BENCH_G (samples per growth level),
#          BENCH_LEVELS ("0 1 100 500 1000"), BENCH_PORTS (1000), BENCH_BULK (100),
#          BENCH_PEER_MAX / BENCH_PEER_PORTS (the peers' caps: quick 500 / 200, full 1000 / 1000),
#          BENCH_BULK_ROUNDS, BENCH_IPERF_SECONDS, BENCH_IPERF_ROUNDS,
#          BENCH_DS_PAIR (rounds of Berth's IPv4-only/dual-stack pairs alone: quick 100, full 300),
#          BENCH_DNS=0 (skip the container DNS section, bench/dns.sh; its own knobs are BENCH_DNS_*),
#          BENCH_NETAVARK=0 (skip Berth as netavark vs netavark, bench/netavark.sh; knobs BENCH_NV_*),
#          BENCH_OVERLAY=0 (skip overlay networks across simulated hosts, bench/overlay.sh; knobs BENCH_OV_*)
#
# Writes bench/results/compare.{md,json}, compare-samples.txt and attach-growth.svg.
#
# Safety: all interfaces, addresses, iptables/nftables rules and sysctls are created inside
# namespaces this script creates (bt-bench-<letter><pid>[-...], one "host" namespace per tool);
# the peers' state (host-local dataDir, netavark --config) and Berth's state live in a private
# temp dir; traffic (iperf3, ping) only flows between two of those namespaces. A trap removes
# everything, also on failure.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BERTH=${BERTH:-$HERE/../.build/release/berth}
BERTH=$(readlink -f "$BERTH")
RESULTS=$HERE/results
CNI_BIN=/usr/lib/cni
NETAVARK=/usr/lib/podman/netavark
if [[ -n ${BENCH_FULL:-} && ${BENCH_FULL:-0} != 0 ]]; then
    N=${BENCH_N:-200}; G=${BENCH_G:-40}; BULK_ROUNDS=${BENCH_BULK_ROUNDS:-5}
    PEER_MAX=${BENCH_PEER_MAX:-1000}; PEER_PORTS=${BENCH_PEER_PORTS:-1000}
    IPERF_SECONDS=${BENCH_IPERF_SECONDS:-10}; IPERF_ROUNDS=${BENCH_IPERF_ROUNDS:-3}; MODE=full
    DS_PAIR=${BENCH_DS_PAIR:-300}
else
    N=${BENCH_N:-30}; G=${BENCH_G:-10}; BULK_ROUNDS=${BENCH_BULK_ROUNDS:-2}
    # The peers' per-container iptables rules make filling them slow (about 4 minutes to go from
    # 500 to 1000 containers, 2.5 minutes for netavark to publish 1000 ports): in quick mode
    # they stop at 500 endpoints and 200 ports; Berth and the raw floor go all the way.
    PEER_MAX=${BENCH_PEER_MAX:-500}; PEER_PORTS=${BENCH_PEER_PORTS:-200}
    IPERF_SECONDS=${BENCH_IPERF_SECONDS:-3}; IPERF_ROUNDS=${BENCH_IPERF_ROUNDS:-2}; MODE=quick
    DS_PAIR=${BENCH_DS_PAIR:-100}
fi
LEVELS=${BENCH_LEVELS:-0 1 100 500 1000}
PORTS=${BENCH_PORTS:-1000}
BULK=${BENCH_BULK:-100}

ID=$$
ST=$(mktemp -d /tmp/bt-bench.XXXXXX)
J=$ST/json
mkdir -p "$J" "$ST/berth-bc" "$ST/berth-bn" "$ST/berth-b6" "$ST/berth-n6" "$ST/ipam" "$ST/netavark" "$ST/netavark6" "$RESULTS"
STARTED_PIDS=()

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

cleanup() {
    trap - EXIT INT TERM
    trap "" PIPE
    for pid in "${STARTED_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${STARTED_PIDS[@]}"; do wait "$pid" 2>/dev/null; done
    # Only the namespaces this run created: bt-bench-<letter>$ID, optionally followed by -...
    ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^bt-bench-[a-z]+$ID(-|$)" | while read -r ns; do
        ip netns del "$ns" 2>/dev/null
    done
    rm -rf "$ST"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[[ $(id -u) -eq 0 ]] || { echo "bench needs root (network namespaces)" >&2; exit 1; }
[[ -x "$BERTH" ]] || { echo "no berth binary at $BERTH (make build)" >&2; exit 1; }

# ---- peers and tools, from Debian ---------------------------------------------------------------
need=()
[[ -x $CNI_BIN/bridge && -x $CNI_BIN/host-local && -x $CNI_BIN/portmap ]] || need+=(containernetworking-plugins)
[[ -x $NETAVARK ]] || need+=(netavark)
command -v iperf3 >/dev/null || need+=(iperf3)
command -v cc >/dev/null || need+=(gcc)
command -v python3 >/dev/null || need+=(python3)
command -v iptables >/dev/null || need+=(iptables)
if ((${#need[@]})); then
    log "installing ${need[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
version_of() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "?"; }
cc -O2 -o "$ST/timeops" "$HERE/timeops.c" || exit 1
cc -O2 -o "$ST/raw_netlink" "$HERE/raw_netlink.c" || exit 1
TIMEOPS=$ST/timeops
# A private copy: the binary under .build may be rebuilt while the benchmark runs.
BERTH_ORIGIN=$BERTH
mkdir -p "$ST/bin" && cp "$BERTH" "$ST/bin/berth" && BERTH=$ST/bin/berth
RAW=$ST/raw_netlink

# ---- the throwaway host namespace -----------------------------------------------------------------
# One throwaway "host" namespace per tool (bt-bench-h$ID-<tool>), so a tool's growth is measured
# against its own endpoints only, and Berth CLI and Berth CNI get separate state and tables.
# Dual stack (issue 14): b6/n6/c6/v6/r6 are the dual-stack twins of bc/bn/cb/nv/rw; b4 and n4,
# Berth's IPv4-only twins (CLI and CNI), share b6's and n6's host namespace and state (one host
# with both kinds of network).
newns() { ip netns add "$1" && ip -n "$1" link set lo up; }
declare -A HOST_OF=([b4]=b6 [n4]=n6)
hostns() { echo "bt-bench-h$ID-${HOST_OF[$1]:-$1}"; }
for t in bc bn cb nv rw b6 n6 c6 v6 r6; do newns "$(hostns $t)"; done
berth_env() { echo "BERTH_STATE_DIR=$ST/berth-${HOST_OF[$1]:-$1} BERTH_POOLS=10.240.0.0/16:24"; }
# in_host TOOL CMD...: runs CMD in that tool's host namespace (with Berth's environment).
in_host() { local t=$1; shift; ip netns exec "$(hostns "$t")" env $(berth_env "$t") "$@"; }

# What this berth binary can do (other issues are landing these).
HAS_CNI=0
if echo '{"cniVersion":"1.0.0"}' | CNI_COMMAND=VERSION BERTH_STATE_DIR="$ST/berth-bn" timeout 10 "$BERTH" 2>/dev/null | grep -q supportedVersions; then HAS_CNI=1; fi
HAS_PUBLISH=0
"$BERTH" network connect --help 2>&1 | grep -q -- '--publish' && HAS_PUBLISH=1
HAS_DISCONNECT_ALL=0
"$BERTH" network disconnect --help 2>&1 | grep -q -- '--all' && HAS_DISCONNECT_ALL=1
HAS_IPV6=0
[[ -e /proc/sys/net/ipv6 ]] && "$BERTH" network create --help 2>&1 | grep -q -- '--ipv6' && HAS_IPV6=1
NOTES=()
((HAS_CNI)) || NOTES+=("berth-cni skipped: this berth binary does not answer CNI_COMMAND=VERSION (issue 3 not landed)")
((HAS_PUBLISH)) || NOTES+=("berth port rows skipped: 'berth network connect --help' has no --publish (issue 4 not landed)")
((HAS_IPV6)) || NOTES+=("dual-stack rows skipped: no IPv6 in this kernel, or 'berth network create --help' has no --ipv6 (issue 14 not landed)")
if ((HAS_IPV6)); then
    ((HAS_CNI)) && NOTES+=("dual stack, Berth CNI: type berth with host-local ranges [10.247.0.0/16] and [fd42:4254:6805::/64], routes 0.0.0.0/0 and ::/0, against an IPv4-only twin (one range, 10.246.0.0/16, route 0.0.0.0/0) in the same host namespace and state, otherwise as the berth-cni rows")
    NOTES+=("dual stack, peers' IPv6 settings: cni-bridge = bridge + host-local with ranges [10.242.0.0/16] and [fd42:4254:6802::/64], routes 0.0.0.0/0 and ::/0, isGateway/ipMasq/hairpinMode as for IPv4, enabledad left at its default (false: accept_dad=0 in the container, so the plugin's wait for tentative addresses returns at once); netavark = ipv6_enabled true, subnets 10.243.0.0/16 and fd42:4254:6803::/64, a static address of each family (it sets accept_dad=0 and autoconf=0 itself); Berth = network create --subnet 10.241.0.0/16 --subnet fd42:4254:6801::/64, against an IPv4-only twin in the same host namespace and state")
fi
if ((HAS_PUBLISH == 0 || HAS_CNI == 0)); then :; fi

# ---- networks: one per tool ---------------------------------------------------------------------
# tool codes: bc = berth CLI, bn = berth CNI, cb = CNI bridge (+portmap), nv = netavark, rw = raw
declare -A NET_BASE=([bc]=10.234 [bn]=10.237 [cb]=10.235 [nv]=10.236 [rw]=10.238
                     [b4]=10.245 [b6]=10.241 [c6]=10.242 [v6]=10.243 [r6]=10.244 [n4]=10.246 [n6]=10.247)
# the dual-stack networks' IPv6 /64s (unique local, fixed so runs compare)
declare -A NET6_BASE=([b6]=fd42:4254:6801 [c6]=fd42:4254:6802 [v6]=fd42:4254:6803 [r6]=fd42:4254:6804
                      [n6]=fd42:4254:6805)
declare -A PORT_BASE=([bc]=20000 [bn]=30000 [cb]=40000 [nv]=50000)
declare -A TOOL_NAME=([bc]=berth-cli [bn]=berth-cni [cb]=cni-bridge [nv]=netavark [rw]=raw-netlink
                      [b4]=berth-cli [b6]=berth-cli [n4]=berth-cni [n6]=berth-cni [c6]=cni-bridge [v6]=netavark
                      [r6]=raw-netlink)
# which family a tool's network has, for the dual-stack rows' operation names
declare -A FAMILY_OF=([bc]=ipv4 [bn]=ipv4 [cb]=ipv4 [nv]=ipv4 [rw]=ipv4 [b4]=ipv4 [b6]=dual [n4]=ipv4 [n6]=dual
                       [c6]=dual [v6]=dual [r6]=dual)
TOOLS=(bc)
((HAS_CNI)) && TOOLS+=(bn)
TOOLS+=(cb nv rw)
PORT_TOOLS=()
((HAS_PUBLISH)) && PORT_TOOLS+=(bc)
((HAS_PUBLISH && HAS_CNI)) && PORT_TOOLS+=(bn)
PORT_TOOLS+=(cb nv)

# Endpoint index i → address BASE.(i/250).(i%250+2) in the tool's /16, and PREFIX::<hex i+2>.
ip_of() { echo "${NET_BASE[$1]}.$(($2 / 250)).$(($2 % 250 + 2))"; }
ip6_of() { printf '%s::%x\n' "${NET6_BASE[$1]}" $(($2 + 2)); }

in_host bc "$BERTH" network create bench --subnet 10.234.0.0/16 --gateway 10.234.0.1 >/dev/null || { echo "berth network create failed" >&2; exit 1; }
ip -n "$(hostns rw)" link add btraw0 type bridge
ip -n "$(hostns rw)" addr add 10.238.0.1/16 dev btraw0
ip -n "$(hostns rw)" link set btraw0 up
if ((HAS_IPV6)); then
    # Berth: the dual-stack network and its IPv4-only twin, /16s as for bc, side by side in one
    # host namespace and one state directory
    in_host b6 "$BERTH" network create bench6 --subnet 10.241.0.0/16 --subnet fd42:4254:6801::/64 >/dev/null &&
        in_host b4 "$BERTH" network create bench4 --subnet 10.245.0.0/16 >/dev/null ||
        { echo "berth network create (dual stack) failed" >&2; exit 1; }
    ip -n "$(hostns r6)" link add btraw6 type bridge
    ip -n "$(hostns r6)" addr add 10.244.0.1/16 dev btraw6
    ip -n "$(hostns r6)" addr add fd42:4254:6804::1/64 dev btraw6 nodad
    ip -n "$(hostns r6)" link set btraw6 up
fi

# port mappings as CNI runtimeConfig / netavark port_mappings: hostPort FROM..FROM+COUNT-1
cni_ports() { local from=$1 count=$2 i sep=""; for ((i = 0; i < count; i++)); do printf '%s{"hostPort":%d,"containerPort":%d,"protocol":"tcp"}' "$sep" $((from + i)) $((from + i)); sep=,; done; }
nv_ports() { local from=$1 count=$2 i sep=""; for ((i = 0; i < count; i++)); do printf '%s{"host_ip":"","container_port":%d,"host_port":%d,"range":1,"protocol":"tcp"}' "$sep" $((from + i)) $((from + i)); sep=,; done; }

cni_conf() { # TYPE(bridge|berth) NAME BRIDGE BASE [PORTS_JSON]
    local caps='"ips":true' rc=""
    [[ -n ${5:-} && $1 == berth ]] && { caps='"ips":true,"portMappings":true'; rc=",\"runtimeConfig\":{\"portMappings\":[$5]}"; }
    printf '{"cniVersion":"0.4.0","name":"%s","type":"%s","bridge":"%s","isGateway":true,"ipMasq":true,"hairpinMode":true,"capabilities":{%s}%s,"ipam":{"type":"host-local","dataDir":"%s","routes":[{"dst":"0.0.0.0/0"}],"ranges":[[{"subnet":"%s.0.0/16","gateway":"%s.0.1"}]]}}\n' \
        "$2" "$1" "$3" "$caps" "$rc" "$ST/ipam" "$4" "$4"
}
cni_conf bridge btbr btbr0 10.235 > "$J/cb.json"
cni_conf berth btcni btcni0 10.237 > "$J/bn.json"
# The bridge plugin (and Berth's CNI plugin) configured dual stack as a user would: host-local
# with an IPv4 and an IPv6 range, default routes of both families, everything else as for IPv4.
# The bridge plugin's `enabledad` is left at its default (false): it writes accept_dad=0 on the
# container's interface, so the wait for tentative addresses it makes whenever an IPv6 gateway is
# set (ip.SettleAddresses, polling up to 10 s) finds none and returns at once. With
# "enabledad": true it would wait for DAD.
cni_conf6() { # TYPE(bridge|berth) NAME BRIDGE BASE PREFIX6
    printf '{"cniVersion":"0.4.0","name":"%s","type":"%s","bridge":"%s","isGateway":true,"ipMasq":true,"hairpinMode":true,"capabilities":{"ips":true},"ipam":{"type":"host-local","dataDir":"%s","routes":[{"dst":"0.0.0.0/0"},{"dst":"::/0"}],"ranges":[[{"subnet":"%s.0.0/16","gateway":"%s.0.1"}],[{"subnet":"%s::/64","gateway":"%s::1"}]]}}\n' \
        "$2" "$1" "$3" "$ST/ipam" "$4" "$4" "$5" "$5"
}
cni_conf6 bridge btbr6 btbr6 10.242 fd42:4254:6802 > "$J/c6.json"
# Berth's CNI plugin: the same dual-stack configuration, and an IPv4-only twin beside it
cni_conf6 berth btcni6 btcni6 10.247 fd42:4254:6805 > "$J/n6.json"
cni_conf berth btcni4 btcni4 10.246 > "$J/n4.json"

portmap_conf() { # NS IP PORTS_JSON  (prevResult as the bridge plugin returns it)
    printf '{"cniVersion":"0.4.0","name":"btbr","type":"portmap","capabilities":{"portMappings":true},"runtimeConfig":{"portMappings":[%s]},"prevResult":{"cniVersion":"0.4.0","interfaces":[{"name":"btbr0"},{"name":"veth"},{"name":"eth0","sandbox":"/run/netns/%s"}],"ips":[{"version":"4","interface":2,"address":"%s/16","gateway":"10.235.0.1"}],"routes":[{"dst":"0.0.0.0/0"}],"dns":{}}}\n' "$3" "$1" "$2"
}
netavark_json() { # CONTAINER_ID IP PORTS_JSON
    printf '{"container_id":"%s","container_name":"c%s","port_mappings":[%s],"networks":{"btnv":{"static_ips":["%s"],"aliases":[],"interface_name":"eth0"}},"network_info":{"btnv":{"name":"btnv","id":"%064d","driver":"bridge","network_interface":"btnv0","created":"2026-01-01T00:00:00.000000000Z","subnets":[{"subnet":"10.236.0.0/16","gateway":"10.236.0.1"}],"ipv6_enabled":false,"internal":false,"dns_enabled":false,"ipam_options":{"driver":"host-local"}}}}\n' \
        "$1" "${1:0:12}" "$3" "$2" 7
}
# netavark with an IPv6 subnet beside the IPv4 one, as Podman sends it for `podman network create
# --ipv6`: "ipv6_enabled": true, two subnets, a static address of each family. netavark itself
# sets accept_dad=0 and autoconf=0 on the container's interface (it leaves accept_ra alone).
netavark6_json() { # CONTAINER_ID IP IP6
    printf '{"container_id":"%s","container_name":"c%s","port_mappings":[],"networks":{"btnv6":{"static_ips":["%s","%s"],"aliases":[],"interface_name":"eth0"}},"network_info":{"btnv6":{"name":"btnv6","id":"%064d","driver":"bridge","network_interface":"btnv6","created":"2026-01-01T00:00:00.000000000Z","subnets":[{"subnet":"10.243.0.0/16","gateway":"10.243.0.1"},{"subnet":"fd42:4254:6803::/64","gateway":"fd42:4254:6803::1"}],"ipv6_enabled":true,"internal":false,"dns_enabled":false,"ipam_options":{"driver":"host-local"}}}}\n' \
        "$1" "${1:0:12}" "$2" "$3" 8
}
cid() { printf '%064x' "$1"; }

# One attach / detach step list for TOOL, namespace NS, endpoint index IDX, and optional ports
# (FROM COUNT). Prints the timeops step text (no label).
attach_steps() { printf '@/run/netns/%s ' "$(hostns "$1")"; attach_steps_in "$@"; }
detach_steps() { printf '@/run/netns/%s ' "$(hostns "$1")"; detach_steps_in "$@"; }
attach_steps_in() {
    local t=$1 ns=$2 idx=$3 pfrom=${4:-} pcount=${5:-0} ip c p f
    ip=$(ip_of "$t" "$idx"); c=$(cid $((idx + 1)))
    case $t in
    bc)
        p=""
        if ((pcount > 0)); then for ((k = 0; k < pcount; k++)); do p+=" --publish $((pfrom + k)):$((pfrom + k))"; done; fi
        echo "$(berth_env bc) $BERTH network connect bench $ns$p" ;;
    bn)
        f=$J/bn.json
        if ((pcount > 0)); then f=$J/bn-$idx.json; cni_conf berth btcni btcni0 10.237 "$(cni_ports "$pfrom" "$pcount")" > "$f"; fi
        echo "$(berth_env bn) CNI_COMMAND=ADD CNI_CONTAINERID=$c CNI_NETNS=/run/netns/$ns CNI_IFNAME=eth0 CNI_PATH=$CNI_BIN CNI_ARGS=IgnoreUnknown=1 <$f $BERTH" ;;
    cb)
        if ((pcount > 0)); then
            portmap_conf "$ns" "$ip" "$(cni_ports "$pfrom" "$pcount")" > "$J/pm-$idx.json"
            echo "CNI_COMMAND=ADD CNI_CONTAINERID=$c CNI_NETNS=/run/netns/$ns CNI_IFNAME=eth0 CNI_PATH=$CNI_BIN CNI_ARGS=IgnoreUnknown=1;IP=$ip <$J/cb.json $CNI_BIN/bridge ;; CNI_COMMAND=ADD CNI_CONTAINERID=$c CNI_NETNS=/run/netns/$ns CNI_IFNAME=eth0 CNI_PATH=$CNI_BIN <$J/pm-$idx.json $CNI_BIN/portmap"
        else
            # host-local allocates (as for a runtime's default container); CB_STATIC asks for ip_of
            local args=IgnoreUnknown=1; ((CB_STATIC)) && args+=";IP=$ip"
            echo "CNI_COMMAND=ADD CNI_CONTAINERID=$c CNI_NETNS=/run/netns/$ns CNI_IFNAME=eth0 CNI_PATH=$CNI_BIN CNI_ARGS=$args <$J/cb.json $CNI_BIN/bridge"
        fi ;;
    nv)
        if ((pcount > 0)); then p=$(nv_ports "$pfrom" "$pcount"); else p=""; fi
        netavark_json "$c" "$ip" "$p" > "$J/nv-$idx.json"
        echo "<$J/nv-$idx.json $NETAVARK --config $ST/netavark --rootless=false --aardvark-binary=/usr/lib/podman/aardvark-dns setup /run/netns/$ns" ;;
    rw)
        echo "$RAW attach btraw0 /run/netns/$ns btr$idx $ip 10.238.0.1 16" ;;
    b4) echo "$(berth_env b4) $BERTH network connect bench4 $ns" ;;
    b6) echo "$(berth_env b6) $BERTH network connect bench6 $ns" ;;
    n4|n6) echo "$(berth_env "$t") CNI_COMMAND=ADD CNI_CONTAINERID=$c CNI_NETNS=/run/netns/$ns CNI_IFNAME=eth0 CNI_PATH=$CNI_BIN CNI_ARGS=IgnoreUnknown=1 <$J/$t.json $BERTH" ;;
    c6) echo "CNI_COMMAND=ADD CNI_CONTAINERID=$c CNI_NETNS=/run/netns/$ns CNI_IFNAME=eth0 CNI_PATH=$CNI_BIN CNI_ARGS=IgnoreUnknown=1 <$J/c6.json $CNI_BIN/bridge" ;;
    v6)
        netavark6_json "$c" "$ip" "$(ip6_of v6 "$idx")" > "$J/v6-$idx.json"
        echo "<$J/v6-$idx.json $NETAVARK --config $ST/netavark6 --rootless=false --aardvark-binary=/usr/lib/podman/aardvark-dns setup /run/netns/$ns" ;;
    r6) echo "$RAW attach6 btraw6 /run/netns/$ns btr6$idx $ip 10.244.0.1 16 $(ip6_of r6 "$idx") fd42:4254:6804::1" ;;
    esac
}
detach_steps_in() {
    local t=$1 ns=$2 idx=$3 pcount=${4:-0} c
    c=$(cid $((idx + 1)))
    case $t in
    bc) echo "$(berth_env bc) $BERTH network disconnect bench $ns" ;;
    bn) local f=$J/bn.json; ((pcount > 0)) && f=$J/bn-$idx.json
        echo "$(berth_env bn) CNI_COMMAND=DEL CNI_CONTAINERID=$c CNI_NETNS=/run/netns/$ns CNI_IFNAME=eth0 CNI_PATH=$CNI_BIN CNI_ARGS=IgnoreUnknown=1 <$f $BERTH" ;;
    cb)
        if ((pcount > 0)); then
            echo "CNI_COMMAND=DEL CNI_CONTAINERID=$c CNI_NETNS=/run/netns/$ns CNI_IFNAME=eth0 CNI_PATH=$CNI_BIN <$J/pm-$idx.json $CNI_BIN/portmap ;; CNI_COMMAND=DEL CNI_CONTAINERID=$c CNI_NETNS=/run/netns/$ns CNI_IFNAME=eth0 CNI_PATH=$CNI_BIN CNI_ARGS=IgnoreUnknown=1 <$J/cb.json $CNI_BIN/bridge"
        else
            echo "CNI_COMMAND=DEL CNI_CONTAINERID=$c CNI_NETNS=/run/netns/$ns CNI_IFNAME=eth0 CNI_PATH=$CNI_BIN CNI_ARGS=IgnoreUnknown=1 <$J/cb.json $CNI_BIN/bridge"
        fi ;;
    nv) echo "<$J/nv-$idx.json $NETAVARK --config $ST/netavark --rootless=false --aardvark-binary=/usr/lib/podman/aardvark-dns teardown /run/netns/$ns" ;;
    rw) echo "$RAW detach btr$idx" ;;
    b4) echo "$(berth_env b4) $BERTH network disconnect bench4 $ns" ;;
    b6) echo "$(berth_env b6) $BERTH network disconnect bench6 $ns" ;;
    n4|n6) echo "$(berth_env "$t") CNI_COMMAND=DEL CNI_CONTAINERID=$c CNI_NETNS=/run/netns/$ns CNI_IFNAME=eth0 CNI_PATH=$CNI_BIN CNI_ARGS=IgnoreUnknown=1 <$J/$t.json $BERTH" ;;
    c6) echo "CNI_COMMAND=DEL CNI_CONTAINERID=$c CNI_NETNS=/run/netns/$ns CNI_IFNAME=eth0 CNI_PATH=$CNI_BIN CNI_ARGS=IgnoreUnknown=1 <$J/c6.json $CNI_BIN/bridge" ;;
    v6) echo "<$J/v6-$idx.json $NETAVARK --config $ST/netavark6 --rootless=false --aardvark-binary=/usr/lib/podman/aardvark-dns teardown /run/netns/$ns" ;;
    r6) echo "$RAW detach btr6$idx" ;;
    esac
}

CB_STATIC=0
SAMPLES=$ST/samples.txt   # "tool op ms rss_kib"
FAILS=$ST/failures.txt
: > "$SAMPLES"; : > "$FAILS"

# Runs timeops lines (stdin) in the host namespace; records "LABEL=tool|op" samples.
run_ops() {
    ip netns exec "$(hostns bc)" "$TIMEOPS" 2>>"$ST/errors.txt" | awk -v samples="$SAMPLES" -v fails="$FAILS" '
        { split($1, l, "|") }
        $3 != 0 { print l[1], l[2], $3 >> fails; next }
        l[2] != "-" { printf "%s %s %.4f %d\n", l[1], l[2], $2 / 1e6, $4 >> samples }'
}

# Attach then detach, SAMPLES times per tool, tools rotated every round. Sample endpoints use
# index 1100+round (each tool its own namespace, reused: a detach leaves it empty again).
measure_cycle() { # OPSUFFIX COUNT PORTCOUNT PORTFROM TOOLS...
    local suffix=$1 count=$2 pcount=$3 pfrom=$4; shift 4
    local tools=("$@") n=${#@} r k t idx
    for t in "${tools[@]}"; do [[ -e /run/netns/bt-bench-s$ID-$t ]] || newns "bt-bench-s$ID-$t"; done
    for ((r = 0; r < count; r++)); do
        for ((k = 0; k < n; k++)); do
            t=${tools[$(((r + k) % n))]}
            idx=$((1100 + r % 100))
            printf '%s|attach%s\t%s\n' "${TOOL_NAME[$t]}" "$suffix" "$(attach_steps "$t" "bt-bench-s$ID-$t" "$idx" "$pfrom" "$pcount")"
            printf '%s|detach%s\t%s\n' "${TOOL_NAME[$t]}" "$suffix" "$(detach_steps "$t" "bt-bench-s$ID-$t" "$idx" "$pcount")"
        done
    done | run_ops
}

# ---- 1. the floors ----------------------------------------------------------------------------------
log "mode $MODE: N=$N, growth samples $G at levels [$LEVELS], tools: ${TOOLS[*]}"
for i in 0 1 2 3 4 5 6 7; do newns "bt-bench-r$ID-$i"; done
in_host rw "$RAW" loop btraw0 /run/netns "bt-bench-r$ID-" "$N" 10.238.0.0 10.238.0.1 16 |
    awk '{ printf "raw-in-process %s %.4f 0\n", $1, $2 / 1e6 }' >> "$SAMPLES"
for ((i = 0; i < N; i++)); do printf 'process-floor|/bin/true\t/bin/true\n'; done | run_ops
for ((i = 0; i < N; i++)); do printf 'berth-cli|network-ls\t%s %s network ls\n' "$(berth_env bc)" "$BERTH"; done | run_ops

# ---- 2. growth: attach/detach with 0, 1, 100, 500, 1000 endpoints already on the network -------
# "1" is the headline row: one other container on the network. At 0 netavark tears its bridge and
# rules down when the last container leaves and rebuilds them on the next setup, so its "0" is
# network creation; with one container there, every tool is in its steady state.
declare -A HAVE=()
cap_of() { case $1 in cb|nv) echo "$PEER_MAX" ;; *) echo 1000000 ;; esac; }
fill_to() { # LEVEL: untimed, the tools in parallel; a peer stops at its cap
    local level=$1 t pids=() want
    log "filling to $level endpoints per tool (untimed, tools in parallel)"
    for t in "${TOOLS[@]}"; do
        want=$(cap_of "$t"); ((want > level)) && want=$level
        local from=${HAVE[$t]:-0}
        ((want > from)) || continue
        (
            for ((i = from; i < want; i++)); do newns "bt-bench-f$ID-$t-$i"; done
            for ((i = from; i < want; i++)); do
                printf 'fill|-\t%s\n' "$(attach_steps "$t" "bt-bench-f$ID-$t-$i" "$i")"
            done | run_ops
        ) &
        pids+=($!)
        STARTED_PIDS+=($!)
        HAVE[$t]=$want
    done
    ((${#pids[@]})) && wait "${pids[@]}"
    return 0
}

ports_phases() {
    # one published port, with one other container on the network
    log "attach/detach with one published port: ${PORT_TOOLS[*]}"
    measure_cycle "+1port" "$N" 1 8080 "${PORT_TOOLS[@]}"
}
many_ports_phase() {
    # the next publish with $PORTS ports already published on the network: one container per tool
    # holds them (filled in parallel, untimed); they stay until the namespaces go at the end. Runs
    # after the growth phase, so the ratio's base is attach + 1 port at the same endpoint count.
    local t pids=() count
    log "attach + 1 port before the fill (the base of the ratio)"
    measure_cycle "+1port@before" "$G" 1 8080 "${PORT_TOOLS[@]}"
    log "publishing $PORTS ports (peers: $PEER_PORTS) on one container per tool (untimed fill, tools in parallel)"
    for t in "${PORT_TOOLS[@]}"; do
        newns "bt-bench-p$ID-$t"
        count=$PORTS; [[ $t == cb || $t == nv ]] && count=$PEER_PORTS
        NOTES+=("many ports: ${TOOL_NAME[$t]} had $count ports published and ${HAVE[$t]:-0} endpoints on its network")
        # each tool its own host ports (berth-cli and berth-cni share the namespace and the table)
        printf 'fill|-\t%s\n' "$(attach_steps "$t" "bt-bench-p$ID-$t" 1050 "${PORT_BASE[$t]}" "$count")" | run_ops &
        pids+=($!)
        STARTED_PIDS+=($!)
    done
    wait "${pids[@]}"
    log "attach + 1 port with $PORTS ports published"
    measure_cycle "+1port@manyports" "$G" 1 8080 "${PORT_TOOLS[@]}"
}

# Bulk teardown: $BULK endpoints at once. Runs while the networks are small (a Linux bridge takes
# at most 1023 ports, so not after the growth phase has put 1000 on each).
bulk_phase() {
    local r k t i line
    log "bulk teardown of $BULK endpoints, $BULK_ROUNDS rounds"
    for ((i = 0; i < BULK; i++)); do newns "bt-bench-b$ID-$i"; done
    bulk_tools=(bc cb nv)
    for ((r = 0; r < BULK_ROUNDS; r++)); do
        for ((k = 0; k < 3; k++)); do
            t=${bulk_tools[$(((r + k) % 3))]}
            case $t in
            bc)
                # berth network rm --force (or disconnect --all): one process, one batched kernel request
                local at="@/run/netns/$(hostns bc) $(berth_env bc) $BERTH"
                in_host bc "$BERTH" network create "bulk$r" --subnet 10.239.0.0/16 --gateway 10.239.0.1 >/dev/null
                for ((i = 0; i < BULK; i++)); do printf 'fill|-\t%s network connect bulk%d bt-bench-b%s-%d\n' "$at" "$r" "$ID" "$i"; done | run_ops
                if ((HAS_DISCONNECT_ALL)); then
                    printf 'berth-cli|bulk-detach-all\t%s network disconnect bulk%d --all\n' "$at" "$r" | run_ops
                    in_host bc "$BERTH" network rm "bulk$r" >/dev/null
                else
                    printf 'berth-cli|bulk-rm-force\t%s network rm --force bulk%d\n' "$at" "$r" | run_ops
                fi ;;
            cb|nv)
                for ((i = 0; i < BULK; i++)); do printf 'fill|-\t%s\n' "$(attach_steps "$t" "bt-bench-b$ID-$i" $((2000 + i)))"; done | run_ops
                line="@/run/netns/$(hostns "$t")"
                for ((i = 0; i < BULK; i++)); do line+="$( ((i)) && echo " ;;") $(detach_steps_in "$t" "bt-bench-b$ID-$i" $((2000 + i)))"; done
                printf '%s|bulk-detach-loop\t%s\n' "${TOOL_NAME[$t]}" "$line" | run_ops ;;
            esac
        done
        # the floors: one datagram of $BULK RTM_DELLINKs; one RTM_DELLINK of a link group
        in_host rw "$RAW" bulk btraw0 "/run/netns/bt-bench-b$ID-" "$BULK" 10.238.0.0 10.238.0.1 16 |
            awk '{ printf "raw-in-process bulk-detach %.4f 0\n", $2 / 1e6 }' >> "$SAMPLES"
        in_host rw "$RAW" bulk-group btraw0 "/run/netns/bt-bench-b$ID-" "$BULK" 10.238.0.0 10.238.0.1 16 |
            awk '{ printf "raw-in-process bulk-detach-group %.4f 0\n", $2 / 1e6 }' >> "$SAMPLES"
    done
}

# Dual stack (issue 14): attach/detach on dual-stack networks (IPv4 /16 + IPv6 /64) against the
# same tools on IPv4-only ones, all in one rotation, each network with one other endpoint on it
# (as the "1" row); then Berth's pairs (CLI, CNI) and the raw floors alone for more samples, and
# the raw floor's steps in-process. Operation names: attach@1-ipv4, attach@1-dual (…-pair for the
# pairs alone; @crowded for the pairs after the growth phase).
dual_stack_cycle() { # SUFFIX TAG COUNT TOOLS...
    local suffix=$1 tag=$2 count=$3; shift 3
    local tools=("$@") n=$# r k t idx op
    for t in "${tools[@]}"; do [[ -e /run/netns/bt-bench-s$ID-$t ]] || newns "bt-bench-s$ID-$t"; done
    for ((r = 0; r < count; r++)); do
        for ((k = 0; k < n; k++)); do
            t=${tools[$(((r + k) % n))]}
            idx=$((1100 + r % 100))
            op="$suffix-${FAMILY_OF[$t]}$tag"
            printf '%s|attach%s\t%s\n' "${TOOL_NAME[$t]}" "$op" "$(attach_steps "$t" "bt-bench-s$ID-$t" "$idx")"
            printf '%s|detach%s\t%s\n' "${TOOL_NAME[$t]}" "$op" "$(detach_steps "$t" "bt-bench-s$ID-$t" "$idx")"
        done
    done | run_ops
}
# The raw floor in-process, an IPv4-only and a dual-stack attach in turn, with the IPv6 steps
# apart: the address datagram with and without the IPv6 address, the ::/0 request; and, between
# attach and detach and in neither, an accept_ra write from inside the container (setns in, write,
# setns back) as a probe of the /proc/sys/net/ipv6 lookup Berth no longer makes.
raw_dual_steps() { # SUFFIX
    in_host r6 "$RAW" loop6 btraw6 /run/netns "bt-bench-r$ID-" "$N" 10.244.0.0 10.244.0.1 16 fd42:4254:6804:: fd42:4254:6804::1 |
        awk -v s="$1" 'BEGIN { m["attach4"] = "attach" s "-ipv4"; m["attach6"] = "attach" s "-dual"
                               m["detach4"] = "detach" s "-ipv4"; m["detach6"] = "detach" s "-dual"
                               m["request4"] = "step-request" s "-ipv4"; m["request-dual"] = "step-request" s "-dual"
                               m["accept-ra"] = "step-accept-ra" s "-dual"; m["route6"] = "step-route6" s "-dual" }
                       ($1 in m) { printf "raw-in-process %s %.4f 0\n", m[$1], $2 / 1e6 }' >> "$SAMPLES"
}
DS_BERTH=(b4 b6)   # Berth's pairs: CLI, and CNI when the binary is a CNI plugin
((HAS_CNI)) && DS_BERTH+=(n4 n6)
dual_stack_phase() {
    ((HAS_IPV6)) || return 0
    local t
    log "dual stack: one other endpoint on each dual-stack network and on Berth's IPv4-only twins"
    for t in "${DS_BERTH[@]}" c6 v6 r6; do
        newns "bt-bench-f$ID-$t-0"
        printf 'fill|-\t%s\n' "$(attach_steps "$t" "bt-bench-f$ID-$t-0" 0)"
    done | run_ops
    NOTES+=("dual stack: measured with $(ip netns list | wc -l) network namespaces on the machine (the crowded rows: after the growth phase)")
    log "dual stack: IPv4-only and dual-stack side by side, $N rounds: ${DS_BERTH[*]} cb c6 nv v6 rw r6"
    dual_stack_cycle "@1" "" "$N" "${DS_BERTH[@]}" cb c6 nv v6 rw r6
    log "dual stack: Berth's pairs and the raw floors alone, $DS_PAIR rounds: ${DS_BERTH[*]} rw r6"
    dual_stack_cycle "@1" "-pair" "$DS_PAIR" "${DS_BERTH[@]}" rw r6
    raw_dual_steps "@1"
}
# The same pairs once every tool's fillers are alive (thousands of namespaces, most of which have
# looked /proc/sys/net up: the peers write sysctls in every container they make).
crowded_dual_stack_phase() {
    ((HAS_IPV6)) || return 0
    NOTES+=("dual stack, crowded: Berth's pairs measured after the growth phase, with $(ip netns list | wc -l) network namespaces on the machine (each pair network still has one other endpoint)")
    log "dual stack, crowded: Berth's pairs, $DS_PAIR rounds: ${DS_BERTH[*]}"
    dual_stack_cycle "@crowded" "" "$DS_PAIR" "${DS_BERTH[@]}"
    raw_dual_steps "@crowded"
}

ports_done=0
for level in $LEVELS; do
    fill_to "$level"
    count=$G; ((level == 1)) && count=$N
    at=()
    for t in "${TOOLS[@]}"; do [[ ${HAVE[$t]:-0} -eq $level ]] && at+=("$t"); done
    log "attach/detach at $level endpoints ($count samples each: ${at[*]})"
    measure_cycle "@$level" "$count" 0 0 "${at[@]}"
    if ((level >= 1 && ports_done == 0)); then dual_stack_phase; ports_phases; bulk_phase; ports_done=1; fi
done
((ports_done)) || { fill_to 1; dual_stack_phase; ports_phases; bulk_phase; }
crowded_dual_stack_phase

# ---- 3. the next publish with many ports published (last: the fill stays) -----------------------
many_ports_phase

# ---- 4. data path: iperf3 and ping between two containers ----------------------------------------
log "data path: iperf3 (${IPERF_SECONDS}s x $IPERF_ROUNDS rounds) and ping RTT"
dp_tools=(bc cb nv)
CB_STATIC=1
for t in "${dp_tools[@]}"; do
    for side in a b; do
        ns=bt-bench-d$ID-$t$side; newns "$ns"
        idx=3000; [[ $side == b ]] && idx=3001
        case $t in
        bc) in_host bc "$BERTH" network connect bench "$ns" --ip "$(ip_of bc $idx)" >/dev/null ;;
        *) printf 'fill|-\t%s\n' "$(attach_steps "$t" "$ns" "$idx")" | run_ops ;;
        esac
    done
done
for ((r = 0; r < IPERF_ROUNDS; r++)); do
    for ((k = 0; k < 3; k++)); do
        t=${dp_tools[$(((r + k) % 3))]}
        a=bt-bench-d$ID-${t}a; b=bt-bench-d$ID-${t}b; server=$(ip_of "$t" 3000)
        ip netns exec "$a" iperf3 -s -1 -B "$server" -p 5201 >/dev/null 2>&1 &
        spid=$!; STARTED_PIDS+=("$spid")
        for _ in $(seq 50); do ip netns exec "$a" ss -ltn 2>/dev/null | grep -q ":5201 " && break; sleep 0.1; done
        bps=$(ip netns exec "$b" timeout $((IPERF_SECONDS + 20)) iperf3 -c "$server" -p 5201 -t "$IPERF_SECONDS" -J 2>/dev/null |
            python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"])' 2>/dev/null)
        kill "$spid" 2>/dev/null; wait "$spid" 2>/dev/null
        [[ -n $bps ]] && echo "${TOOL_NAME[$t]} iperf3-gbps $(python3 -c "print($bps/1e9)") 0" >> "$SAMPLES"
        ip netns exec "$b" ping -c 50 -i 0.01 -q "$server" 2>/dev/null |
            awk -F'[/ ]+' -v tool="${TOOL_NAME[$t]}" '/^rtt/ { print tool, "ping-rtt", $8, 0 }' >> "$SAMPLES"
    done
done

# ---- 4b. container DNS (bench/dns.sh: berth-dns, aardvark-dns, dnsmasq, the UDP floor) ----------
# Its own namespaces and trap; it writes results/dns.{md,json}, which report.py appends.
DNS_DONE=0
if [[ ${BENCH_DNS:-1} != 0 ]]; then
    log "container DNS: bench/dns.sh"
    rm -f "$RESULTS/dns.md" "$RESULTS/dns.json"
    if BERTH=$BERTH_ORIGIN BENCH_DNS_SECONDS=${BENCH_DNS_SECONDS:-$([[ $MODE == full ]] && echo 10 || echo 5)} \
        bash "$HERE/dns.sh" >"$ST/dns.log" 2>&1; then DNS_DONE=1
    else NOTES+=("bench/dns.sh failed: $(tail -c 400 "$ST/dns.log" | tr '\n' ' ')"); fi
fi

# ---- 4c. Berth as Podman's netavark (bench/netavark.sh: setup/teardown against netavark) ---------
# Its own namespaces and trap; it writes results/netavark.{md,json}, which report.py appends.
# Skipped (with a note) when this berth has no netavark front end.
NETAVARK_DONE=0
if [[ ${BENCH_NETAVARK:-1} != 0 ]]; then
    log "Berth as netavark: bench/netavark.sh"
    rm -f "$RESULTS/netavark.md" "$RESULTS/netavark.json"
    if BERTH=$BERTH_ORIGIN BENCH_NV_N=${BENCH_NV_N:-$([[ $MODE == full ]] && echo 100 || echo 30)} \
        bash "$HERE/netavark.sh" >"$ST/netavark.log" 2>&1; then NETAVARK_DONE=1
    else NOTES+=("bench/netavark.sh failed: $(tail -c 400 "$ST/netavark.log" | tr '\n' ' ')"); fi
fi

# ---- 4d. overlay networks (bench/overlay.sh: attach overlay vs bridge, iperf3 across simulated
# hosts vs a hand-built VXLAN pair, convergence, one agent with many peers under churn) ----------
# Its own namespaces (bt-ov-…-ovb<pid>) and trap; it writes results/overlay.{md,json}, which
# report.py appends. Needs berth-agent beside berth, etcd and iperf3.
OVERLAY_DONE=0
if [[ ${BENCH_OVERLAY:-1} != 0 ]]; then
    log "overlay networks: bench/overlay.sh"
    rm -f "$RESULTS/overlay.md" "$RESULTS/overlay.json"
    if BERTH=$BERTH_ORIGIN BENCH_OV_IPERF_SECONDS=${BENCH_OV_IPERF_SECONDS:-$([[ $MODE == full ]] && echo 10 || echo 5)} \
        bash "$HERE/overlay.sh" >"$ST/overlay.log" 2>&1; then OVERLAY_DONE=1
    else NOTES+=("bench/overlay.sh failed: $(tail -c 400 "$ST/overlay.log" | tr '\n' ' ')"); fi
fi

# ---- 5. report ------------------------------------------------------------------------------------
failed=$(wc -l < "$FAILS")
((failed > 0)) && NOTES+=("$failed operations failed and are left out (first errors: $(head -c 600 "$ST/errors.txt" | tr '\n' ' '))")
cp "$SAMPLES" "$RESULTS/compare-samples.txt"   # raw samples: "tool op value rss_kib"
python3 "$HERE/report.py" "$SAMPLES" "$FAILS" "$RESULTS" \
    "mode=$MODE" "berth=$BERTH_ORIGIN" "cores=$(nproc)" "kernel=$(uname -r)" \
    "cni_plugins=$(version_of containernetworking-plugins)" "netavark=$(version_of netavark)" \
    "iperf3=$(version_of iperf3)" "levels=$LEVELS" "ports=$PORTS" "peer_ports=$PEER_PORTS" "bulk=$BULK" \
    "ds_pair=$DS_PAIR" "dns=$DNS_DONE" "netavark_bench=$NETAVARK_DONE" "overlay_bench=$OVERLAY_DONE" \
    "notes=$(printf '%s\n' "${NOTES[@]+"${NOTES[@]}"}")"
