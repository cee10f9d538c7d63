#!/usr/bin/env bash
# Container DNS side by side: berth-dns, aardvark-dns (Debian, driven through its config
# directory as netavark drives it) and dnsmasq (Debian) as anchors, and a floor (udpfloor.c: a UDP
# responder that answers each query with its own header and does no DNS work). One client,
# dnsperf, in its own namespace pinned to one core; the server pinned to the other.
#
#   BERTH=path/to/berth bash bench/dns.sh          # berth-dns beside it, or BERTH_DNS_BINARY=...
#   called by bench/compare.sh (make bench); the peers and the floor run without berth too
#   knobs: BENCH_DNS_SECONDS (dnsperf -l, default 10), BENCH_DNS_ROUNDS (default 2, servers
#          alternate), BENCH_DNS_CONTAINERS (100) × (1 + BENCH_DNS_ALIASES (9)) names = 1,000,
#          BENCH_DNS_RATE (10000, the fixed-rate run for p50/p99), BENCH_DNS_ATTACH (30 samples
#          per attach row), BENCH_DNS_ONLY ("berth aardvark dnsmasq floor": a subset),
#          BENCH_DNS_NOTE (a line for the report's notes, e.g. which builds were measured)
#
# Legs: local names (A of a container name or alias), PTR (reverse names of container
# addresses), forwarded names (a test upstream, dnsmasq answering *.fwd.test from an address=
# line, in a third namespace). Also: server RSS with the names loaded, berth-dns start-up, and
# the attach path (berth network connect) on a DNS network vs a --dns=false one, in one run.
#
# Writes bench/results/dns.{md,json}.
#
# Topology (all in namespaces this script creates, removed by its trap):
#
#   [bt-bench-k$ID client] ── bridge btdnsbr 198.51.100.1/24 ─┐
#     198.51.100.2             (peers and floor listen here)   [bt-bench-s$ID server]── 203.0.113.2 ── 203.0.113.1 [bt-bench-u$ID upstream]
#     eth0 on Berth's network ── Berth's bridge, gateway 10.251.0.1 (berth-dns) ┘
#
# Processes are ended by the PIDs this script started (berth-dns by its pidfile, after checking
# that the pid's command line is berth-dns); /etc/netns/bt-bench-s$ID (the server namespace's
# resolv.conf for aardvark, which reads the host's) is removed on exit.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BERTH=${BERTH:-$HERE/../.build/release/berth}
SECONDS_PER_RUN=${BENCH_DNS_SECONDS:-10}
ROUNDS=${BENCH_DNS_ROUNDS:-2}
CONTAINERS=${BENCH_DNS_CONTAINERS:-100}
ALIASES=${BENCH_DNS_ALIASES:-9}
RATE=${BENCH_DNS_RATE:-10000}
ATTACH_N=${BENCH_DNS_ATTACH:-30}
ONLY=${BENCH_DNS_ONLY:-berth aardvark dnsmasq floor}
AARDVARK=/usr/lib/podman/aardvark-dns
RESULTS=$HERE/results
ID=$$
S=bt-bench-s$ID K=bt-bench-k$ID U=bt-bench-u$ID
PEER_GW=198.51.100.1 CLIENT_IP=198.51.100.2 UP_IP=203.0.113.1 UP_HOST_IP=203.0.113.2
BERTH_SUBNET=10.251.0.0/16
ST=$(mktemp -d /tmp/bt-bench-dns.XXXXXX)
STARTED_PIDS=()
NOTES=()
[[ -n ${BENCH_DNS_NOTE:-} ]] && NOTES+=("$BENCH_DNS_NOTE")
ETC_NETNS_CREATED=0

log() { printf '[dns bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

# berth_dns_pid: the pid in the server's pidfile, only if that process is berth-dns.
berth_dns_pid() {
    local f=$ST/state/dns/berth-dns.pid pid
    [[ -f $f ]] || return 1
    pid=$(tr -dc 0-9 <"$f")
    [[ -n $pid && -r /proc/$pid/cmdline ]] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'berth-dns' || return 1
    echo "$pid"
}

cleanup() {
    trap - EXIT INT TERM
    trap "" PIPE
    local pid ns
    for pid in "${STARTED_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    pid=$(berth_dns_pid) && kill "$pid" 2>/dev/null
    for pid in "${STARTED_PIDS[@]}"; do wait "$pid" 2>/dev/null; done
    pid=$(berth_dns_pid) && { sleep 0.3; kill -KILL "$pid" 2>/dev/null; }
    ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^bt-bench-[a-z]+$ID(-|$)" | while read -r ns; do
        ip netns del "$ns" 2>/dev/null
    done
    rm -rf "/etc/netns/$S"
    ((ETC_NETNS_CREATED)) && rmdir /etc/netns 2>/dev/null
    rm -rf "$ST"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[[ $(id -u) -eq 0 ]] || { echo "bench needs root (network namespaces)" >&2; exit 1; }
need=()
command -v dnsperf >/dev/null || need+=(dnsperf)
command -v dnsmasq >/dev/null || need+=(dnsmasq-base)
[[ -x $AARDVARK ]] || need+=(aardvark-dns)
command -v cc >/dev/null || need+=(gcc)
command -v taskset >/dev/null || need+=(util-linux)
if ((${#need[@]})); then
    log "installing ${need[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
version_of() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "?"; }
mkdir -p "$RESULTS" "$ST/state" "$ST/aardvark"
cc -O2 -o "$ST/udpfloor" "$HERE/udpfloor.c" || exit 1
cc -O2 -o "$ST/timecmd" "$HERE/timecmd.c" || exit 1

NCPU=$(nproc)
CLIENT_CPU=0 SERVER_CPU=1
((NCPU >= 2)) || { SERVER_CPU=0; NOTES+=("only one core: client and server share it"); }

# ---- berth and berth-dns (optional: without them the peers and the floor still run) ----------
HAS_BERTH=0
BERTH_DNS_BINARY=${BERTH_DNS_BINARY:-}
if [[ " $ONLY " == *" berth "* && -x $BERTH ]]; then
    BERTH=$(readlink -f "$BERTH")
    [[ -z $BERTH_DNS_BINARY ]] && BERTH_DNS_BINARY=$(dirname "$BERTH")/berth-dns
    if [[ -x $BERTH_DNS_BINARY ]] && "$BERTH" network create --help 2>&1 | grep -q -- '--dns'; then
        # private copies: the build tree may be rebuilt while this runs
        mkdir -p "$ST/bin"
        cp "$BERTH" "$ST/bin/berth"; cp "$BERTH_DNS_BINARY" "$ST/bin/berth-dns"
        BERTH=$ST/bin/berth BERTH_DNS_BINARY=$ST/bin/berth-dns
        HAS_BERTH=1
    else
        NOTES+=("berth-dns skipped: no berth-dns beside $BERTH (or BERTH_DNS_BINARY), or 'network create --help' has no --dns")
    fi
elif [[ " $ONLY " == *" berth "* ]]; then
    NOTES+=("berth-dns skipped: no berth binary at $BERTH")
fi
in_s() { ip netns exec "$S" env BERTH_STATE_DIR="$ST/state" BERTH_DNS_BINARY="$BERTH_DNS_BINARY" \
             BERTH_RESOLV_CONF="$ST/resolv.conf" "$@"; }
in_k() { ip netns exec "$K" "$@"; }

# ---- namespaces -----------------------------------------------------------------------------
for ns in "$S" "$K" "$U"; do ip netns add "$ns" && ip -n "$ns" link set lo up || exit 1; done
ip -n "$S" link add btdnsbr type bridge
ip -n "$S" addr add "$PEER_GW/24" dev btdnsbr
ip -n "$S" link set btdnsbr up
ip -n "$S" link add btdnsk type veth peer name peer0 netns "$K"
ip -n "$S" link set btdnsk master btdnsbr up
ip -n "$K" addr add "$CLIENT_IP/24" dev peer0
ip -n "$K" link set peer0 up
ip -n "$S" link add btdnsup type veth peer name upl netns "$U"
ip -n "$S" addr add "$UP_HOST_IP/24" dev btdnsup
ip -n "$S" link set btdnsup up
ip -n "$U" addr add "$UP_IP/24" dev upl
ip -n "$U" link set upl up
# The server namespace's resolv.conf (aardvark 1.4 forwards to the host's resolvers; berth-dns
# is given the same file through BERTH_RESOLV_CONF, and its network's --dns besides).
printf 'nameserver %s\n' "$UP_IP" >"$ST/resolv.conf"
[[ -d /etc/netns ]] || { mkdir /etc/netns && ETC_NETNS_CREATED=1; }
mkdir -p "/etc/netns/$S" && cp "$ST/resolv.conf" "/etc/netns/$S/resolv.conf"

# ---- the upstream: dnsmasq answering every name under fwd.test -------------------------------
ip netns exec "$U" dnsmasq -k --no-resolv --no-hosts --user=root --group=root --bind-interfaces \
    --listen-address="$UP_IP" --address=/fwd.test/192.0.2.50 --pid-file="$ST/up.pid" \
    --cache-size=0 --log-facility=- >/dev/null 2>"$ST/up.err" &
STARTED_PIDS+=($!)

wait_udp53() {   # wait_udp53 NS ADDR: something listens on ADDR:53/udp in NS
    local i
    for ((i = 0; i < 100; i++)); do
        ip netns exec "$1" ss -Hlnu "src $2:53" 2>/dev/null | grep -q . && return 0
        sleep 0.05
    done
    return 1
}
wait_udp53 "$U" "$UP_IP" || { echo "the upstream dnsmasq did not start: $(cat "$ST/up.err")" >&2; exit 1; }

# ---- names: CONTAINERS containers × (1 + ALIASES) names --------------------------------------
# Peers: container i has address 198.51.100.(10+i) (no interface needed: they answer from
# their files); names c<i> and c<i>-a<k>.
((CONTAINERS <= 240)) || { echo "BENCH_DNS_CONTAINERS at most 240" >&2; exit 1; }
NAMES=$((CONTAINERS * (1 + ALIASES)))
names_of() { local i=$1 k; printf 'c%d' "$i"; for ((k = 1; k <= ALIASES; k++)); do printf ',c%d-a%d' "$i" "$k"; done; }
peer_ip() { echo "198.51.100.$((10 + $1))"; }
rev4() { local IFS=.; set -- $1; echo "$4.$3.$2.$1.in-addr.arpa"; }
: >"$ST/hosts"
{ echo "$PEER_GW $UP_IP"; } >"$ST/aardvark/bench"
for ((i = 1; i <= CONTAINERS; i++)); do
    ip=$(peer_ip "$i")
    echo "$ip $(names_of "$i" | tr , ' ')" >>"$ST/hosts"
    printf '%064x %s  %s\n' "$i" "$ip" "$(names_of "$i")" >>"$ST/aardvark/bench"
done
# the client itself, so aardvark knows who asks
printf '%064x %s  %s\n' 999999 "$CLIENT_IP" client >>"$ST/aardvark/bench"

# query files: the same names for every server; PTR of each server's own container addresses
for ((i = 1; i <= CONTAINERS; i++)); do names_of "$i" | tr , '\n'; echo; done | sed 's/$/ A/' >"$ST/q-local.txt"
for ((i = 1; i <= CONTAINERS; i++)); do echo "$(rev4 "$(peer_ip "$i")") PTR"; done >"$ST/q-ptr-peer.txt"
for ((i = 1; i <= NAMES; i++)); do echo "n$i.fwd.test A"; done >"$ST/q-fwd.txt"

# ---- berth's network, containers and client ---------------------------------------------------
BERTH_GW=""
BERTH_START_MS="" BERTH_NODNS_CREATE_MS="" BERTH_DNS_CREATE_MS=""
if ((HAS_BERTH)); then
    log "berth: creating the network and $CONTAINERS containers with $NAMES names"
    # start-up: network create with DNS (spawns berth-dns, waits for ready) vs --dns=false,
    # alternating; each DNS network is the only one, so each create starts a fresh server.
    : >"$ST/create-dns.ms"; : >"$ST/create-nodns.ms"
    for r in 1 2 3 4 5; do
        echo "$BERTH network create sdns$r --subnet 10.252.$r.0/24" | in_s "$ST/timecmd" | awk '{printf "%.3f\n", $1/1e6}' >>"$ST/create-dns.ms"
        in_s "$BERTH" network rm "sdns$r" >/dev/null 2>&1
        for _ in $(seq 100); do berth_dns_pid >/dev/null || break; sleep 0.02; done
        echo "$BERTH network create snodns$r --dns=false --subnet 10.253.$r.0/24" | in_s "$ST/timecmd" | awk '{printf "%.3f\n", $1/1e6}' >>"$ST/create-nodns.ms"
        in_s "$BERTH" network rm "snodns$r" >/dev/null 2>&1
    done
    in_s "$BERTH" network create bench --subnet "$BERTH_SUBNET" --dns "$UP_IP" >"$ST/create.out" 2>&1 ||
        { cat "$ST/create.out" >&2; exit 1; }
    BERTH_GW=$(in_s "$BERTH" network inspect bench | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["gateway"])')
    : >"$ST/q-ptr-berth.txt"
    for ((i = 1; i <= CONTAINERS; i++)); do
        ns=bt-bench-x$ID-$i
        ip netns add "$ns"
        args=(--name "c$i")
        for ((k = 1; k <= ALIASES; k++)); do args+=(--alias "c$i-a$k"); done
        out=$(in_s "$BERTH" network connect bench "$ns" "${args[@]}") || { echo "connect failed: $out" >&2; exit 1; }
        ip=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["ipv4"].split("/")[0])' "$out")
        echo "$(rev4 "$ip") PTR" >>"$ST/q-ptr-berth.txt"
    done
    in_s "$BERTH" network connect bench "$K" --name client >/dev/null || exit 1
    # sanity: a local name and a forwarded one answer
    in_k dig +short +tries=1 +time=2 "@$BERTH_GW" c1 | grep -q . || NOTES+=("berth-dns did not answer c1 before the run")
fi

# ---- servers ----------------------------------------------------------------------------------
SERVER_PID=""
start_server() {   # start_server NAME: start and pin it; sets SERVER_PID and ADDR
    SERVER_PID=""
    case $1 in
    berth-dns)
        ADDR=$BERTH_GW
        SERVER_PID=$(berth_dns_pid) || { in_s "$BERTH" dns status >/dev/null 2>&1; SERVER_PID=$(berth_dns_pid); } || return 1
        ;;
    aardvark-dns)
        ADDR=$PEER_GW
        # aardvark-dns 1.4 daemonizes itself (as netavark expects) and writes DIR/aardvark.pid
        rm -f "$ST/aardvark/aardvark.pid"
        ip netns exec "$S" "$AARDVARK" --config "$ST/aardvark" -p 53 run >"$ST/aardvark.out" 2>&1 </dev/null &
        local launcher=$! i
        for ((i = 0; i < 100; i++)); do
            [[ -s $ST/aardvark/aardvark.pid ]] && wait_udp53 "$S" "$PEER_GW" && break
            sleep 0.05
        done
        wait "$launcher" 2>/dev/null
        SERVER_PID=$(tr -dc 0-9 <"$ST/aardvark/aardvark.pid" 2>/dev/null)
        [[ -n $SERVER_PID ]] || return 1
        STARTED_PIDS+=("$SERVER_PID")
        ;;
    dnsmasq)
        ADDR=$PEER_GW
        ip netns exec "$S" taskset -c "$SERVER_CPU" dnsmasq -k --no-resolv --no-hosts --addn-hosts="$ST/hosts" \
            --server="$UP_IP" --user=root --group=root --bind-interfaces --listen-address="$PEER_GW" \
            --pid-file="$ST/dnsmasq.pid" --log-facility=- >/dev/null 2>"$ST/dnsmasq.err" </dev/null &
        SERVER_PID=$!
        STARTED_PIDS+=("$SERVER_PID")
        ;;
    floor)
        ADDR=$PEER_GW
        ip netns exec "$S" taskset -c "$SERVER_CPU" "$ST/udpfloor" "$PEER_GW" 53 </dev/null >/dev/null 2>"$ST/floor.err" &
        SERVER_PID=$!
        STARTED_PIDS+=("$SERVER_PID")
        ;;
    esac
    wait_udp53 "$S" "$ADDR" || return 1
    taskset -a -p -c "$SERVER_CPU" "$SERVER_PID" >/dev/null   # every thread
}
stop_server() {   # stop_server NAME (berth-dns stays: it lives as long as its network)
    [[ $1 == berth-dns || -z $SERVER_PID ]] && return 0
    kill "$SERVER_PID" 2>/dev/null
    local i
    for ((i = 0; i < 100; i++)); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.02; done
    wait "$SERVER_PID" 2>/dev/null
    for ((i = 0; i < 100; i++)); do wait_udp53_gone && break; sleep 0.02; done
}
wait_udp53_gone() { ! ip netns exec "$S" ss -Hlnu "src $PEER_GW:53" 2>/dev/null | grep -q .; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null; }

SAMPLES=$ST/samples   # lines: server leg metric value
: >"$SAMPLES"
# run_leg SERVER LEG FILE: one max-rate run (qps, average latency, lost) and one fixed-rate run
# at RATE queries/s with per-query latencies (p50, p99).
run_leg() {
    local server=$1 leg=$2 file=$3 out
    out=$(in_k taskset -c "$CLIENT_CPU" dnsperf -s "$ADDR" -d "$file" -l "$SECONDS_PER_RUN" -c 1 -q 100 -t 2 2>&1)
    awk -v s="$server" -v l="$leg" '
        /Queries per second:/ { print s, l, "qps", $4 }
        /Queries lost:/ { print s, l, "lost", $3 }
        /Queries sent:/ { print s, l, "sent", $3 }
        /Average Latency/ { print s, l, "avg_ms", $4 * 1000 }
        /Response codes:/ { sub(/.*Response codes: */, ""); gsub(/ /, "_"); print s, l, "rcodes", $0 }' <<<"$out" >>"$SAMPLES"
    in_k taskset -c "$CLIENT_CPU" dnsperf -s "$ADDR" -d "$file" -l "$((SECONDS_PER_RUN < 5 ? SECONDS_PER_RUN : 5))" \
        -c 1 -q 100 -t 2 -Q "$RATE" -v 2>/dev/null |
        awk '/^> / { print $NF * 1000 }' | sort -n |
        awk -v s="$server" -v l="$leg" '{ a[NR] = $1 }
            END { if (NR) { i50 = int(NR * 0.5) + 1; i99 = int(NR * 0.99) + 1; if (i99 > NR) i99 = NR;
                  print s, l, "p50_ms", a[i50]; print s, l, "p99_ms", a[i99]; print s, l, "fixed_n", NR } }' >>"$SAMPLES"
}

SERVERS=()
((HAS_BERTH)) && SERVERS+=(berth-dns)
[[ " $ONLY " == *" aardvark "* ]] && SERVERS+=(aardvark-dns)
[[ " $ONLY " == *" dnsmasq "* ]] && SERVERS+=(dnsmasq)
[[ " $ONLY " == *" floor "* ]] && SERVERS+=(floor)

for ((r = 0; r < ROUNDS; r++)); do
    n=${#SERVERS[@]}
    for ((j = 0; j < n; j++)); do
        server=${SERVERS[$(((r + j) % n))]}
        log "round $((r + 1))/$ROUNDS: $server"
        start_server "$server" || { NOTES+=("$server did not start in round $((r + 1))"); continue; }
        echo "$server - rss_start_kib $(rss_kib "$SERVER_PID")" >>"$SAMPLES"
        if [[ $server == floor ]]; then
            run_leg floor local "$ST/q-local.txt"
        else
            run_leg "$server" local "$ST/q-local.txt"
            if [[ $server == berth-dns ]]; then run_leg "$server" ptr "$ST/q-ptr-berth.txt"
            else run_leg "$server" ptr "$ST/q-ptr-peer.txt"; fi
            run_leg "$server" forward "$ST/q-fwd.txt"
        fi
        echo "$server - rss_kib $(rss_kib "$SERVER_PID")" >>"$SAMPLES"
        stop_server "$server"
    done
done

# ---- the attach path: connect on a DNS network vs a --dns=false network, alternating ----------
if ((HAS_BERTH)); then
    log "attach path: $ATTACH_N connects each, DNS network vs --dns=false"
    in_s "$BERTH" network create attnodns --dns=false --subnet 10.254.0.0/16 >/dev/null || exit 1
    in_s "$BERTH" network create attdns --subnet 10.255.0.0/16 >/dev/null || exit 1
    for ((i = 1; i <= ATTACH_N; i++)); do ip netns add "bt-bench-y$ID-$i"; ip netns add "bt-bench-z$ID-$i"; done
    for ((i = 1; i <= ATTACH_N; i++)); do
        echo "$BERTH network connect attdns bt-bench-y$ID-$i --name y$i"
        echo "$BERTH network connect attnodns bt-bench-z$ID-$i --name z$i"
    done | in_s "$ST/timecmd" | awk '$2 != 0 { bad++ } { printf "%.3f %s\n", $1 / 1e6, (NR % 2 ? "dns" : "nodns") }
        END { if (bad) print bad " connects failed" > "/dev/stderr" }' >"$ST/attach.ms"
    awk '$2 == "dns" { print "berth-dns attach connect_dns_ms", $1 } $2 == "nodns" { print "berth-dns attach connect_nodns_ms", $1 }' \
        "$ST/attach.ms" >>"$SAMPLES"
    sed 's/^/berth-dns startup create_dns_ms /' "$ST/create-dns.ms" >>"$SAMPLES"
    sed 's/^/berth-dns startup create_nodns_ms /' "$ST/create-nodns.ms" >>"$SAMPLES"
    in_s "$BERTH" dns status --format json >"$ST/status.json" 2>/dev/null &&
        echo "berth-dns - status $(tr -d ' \n' <"$ST/status.json")" >>"$SAMPLES"
fi

cp "$SAMPLES" "$RESULTS/dns-samples.txt"
python3 - "$SAMPLES" "$RESULTS" "$NAMES" "$CONTAINERS" "$SECONDS_PER_RUN" "$RATE" "$ROUNDS" \
    "$(version_of aardvark-dns)" "$(version_of dnsmasq-base)" "$(version_of dnsperf)" "$(nproc)" "$(uname -r)" \
    "$(printf '%s\n' "${NOTES[@]+"${NOTES[@]}"}")" <<'PY'
import json, statistics, sys
from collections import defaultdict
(samples, out_dir, names, containers, secs, rate, rounds, v_aard, v_dnsmasq, v_dnsperf, cores, kernel,
 notes) = sys.argv[1:14]
notes = [n for n in notes.split("\n") if n.strip()]
vals = defaultdict(list)
extra = {}
for line in open(samples):
    p = line.split(None, 3)
    if len(p) < 4:
        continue
    server, leg, metric, value = p
    if metric in ("rcodes", "status"):
        extra[(server, leg, metric)] = value.strip()
        continue
    try:
        vals[(server, leg, metric)].append(float(value))
    except ValueError:
        pass

def med(server, leg, metric):
    xs = vals.get((server, leg, metric))
    return statistics.median(xs) if xs else None

servers = [s for s in ("berth-dns", "aardvark-dns", "dnsmasq", "floor") if any(k[0] == s for k in vals)]
legs = ["local", "ptr", "forward"]
result = {"names": int(names), "containers": int(containers), "seconds_per_run": float(secs),
          "fixed_rate_qps": float(rate), "rounds": int(rounds), "cores": int(cores), "kernel": kernel,
          "versions": {"aardvark-dns": v_aard, "dnsmasq": v_dnsmasq, "dnsperf": v_dnsperf},
          "servers": {}, "notes": notes}
for s in servers:
    r = {}
    for leg in legs:
        d = {m: med(s, leg, m) for m in ("qps", "avg_ms", "p50_ms", "p99_ms", "lost", "sent")}
        if d["qps"] is not None:
            d["rcodes"] = extra.get((s, leg, "rcodes"))
            r[leg] = d
    r["rss_kib"] = med(s, "-", "rss_kib")
    r["rss_start_kib"] = med(s, "-", "rss_start_kib")
    result["servers"][s] = r
fmt = lambda v, f="{:,.0f}": "–" if v is None else f.format(v)
def ratio(a, b):
    return None if a is None or not b else a / b
md = [f"## Container DNS ({names} names on {containers} containers; dnsperf {secs} s per run, "
      f"{rounds} rounds alternating; p50/p99 at {int(float(rate)):,} queries/s)", "",
      f"{cores} cores, client (dnsperf {v_dnsperf}) pinned to one, server to the other; kernel {kernel}; "
      f"aardvark-dns {v_aard}, dnsmasq {v_dnsmasq} (Debian).", "",
      "| server | leg | queries/s | avg ms | p50 ms | p99 ms | lost | rcodes |", "|---|---|---:|---:|---:|---:|---:|---|"]
for s in servers:
    for leg, d in result["servers"][s].items():
        if not isinstance(d, dict):
            continue
        md.append(f"| {s} | {leg} | {fmt(d['qps'])} | {fmt(d['avg_ms'], '{:.3f}')} | {fmt(d['p50_ms'], '{:.3f}')} | "
                  f"{fmt(d['p99_ms'], '{:.3f}')} | {fmt(d['lost'])} | {d.get('rcodes') or ''} |")
md.append("")
base = lambda s, leg="local": (result["servers"].get(s, {}).get(leg) or {}).get("qps")
ratios = {}
for s in servers:
    if s == "floor":
        continue
    for leg in legs:
        q = base(s, leg)
        if q is None:
            continue
        ratios[f"{s}/{leg}"] = {"vs_aardvark": ratio(q, base("aardvark-dns", leg)),
                                "vs_dnsmasq": ratio(q, base("dnsmasq", leg)),
                                "vs_floor": ratio(q, base("floor"))}
result["ratios"] = ratios
md += ["| server/leg | × aardvark | × dnsmasq | × floor |", "|---|---:|---:|---:|"]
for k, v in ratios.items():
    md.append(f"| {k} | {fmt(v['vs_aardvark'], '{:.2f}')} | {fmt(v['vs_dnsmasq'], '{:.2f}')} | {fmt(v['vs_floor'], '{:.2f}')} |")
md.append("")
md += ["| server | RSS at start | RSS after the runs |", "|---|---:|---:|"]
for s in servers:
    r = result["servers"][s]
    md.append(f"| {s} | {fmt(r['rss_start_kib'])} KiB | {fmt(r['rss_kib'])} KiB |")
md.append("")
b = {m: med("berth-dns", "startup", m) for m in ("create_dns_ms", "create_nodns_ms")}
a = {m: med("berth-dns", "attach", m) for m in ("connect_dns_ms", "connect_nodns_ms")}
if b["create_dns_ms"] is not None:
    result["startup"] = b
    result["attach"] = a
    md.append(f"berth-dns start-up: `network create` with DNS (spawns the server, waits for ready) "
              f"{fmt(b['create_dns_ms'], '{:.1f}')} ms vs --dns=false {fmt(b['create_nodns_ms'], '{:.1f}')} ms (median of 5): "
              f"**{fmt(None if b['create_nodns_ms'] is None else b['create_dns_ms'] - b['create_nodns_ms'], '{:.1f}')} ms**.")
    if a["connect_dns_ms"] is not None:
        md.append(f"Attach path (p50 of `berth network connect`): DNS network {fmt(a['connect_dns_ms'], '{:.2f}')} ms, "
                  f"--dns=false {fmt(a['connect_nodns_ms'], '{:.2f}')} ms: "
                  f"**+{fmt(a['connect_dns_ms'] - a['connect_nodns_ms'], '{:.2f}')} ms**.")
    if ("berth-dns", "-", "status") in extra:
        result["status"] = extra[("berth-dns", "-", "status")]
    md.append("")
# targets (issue 15)
t = []
bl = base("berth-dns")
if bl is not None:
    chk = lambda ok: "yes" if ok else "**no**"
    ra, rd, rf = ratio(bl, base("aardvark-dns")), ratio(bl, base("dnsmasq")), ratio(bl, base("floor"))
    p99 = (result["servers"]["berth-dns"].get("local") or {}).get("p99_ms")
    rss = result["servers"]["berth-dns"].get("rss_kib")
    t.append(f"- local ≥ 1.5× aardvark: {fmt(ra, '{:.2f}')}× {chk(ra is not None and ra >= 1.5)}")
    t.append(f"- local > dnsmasq: {fmt(rd, '{:.2f}')}× {chk(rd is not None and rd > 1)}")
    t.append(f"- local ≥ 0.85× floor: {fmt(rf, '{:.2f}')}× {chk(rf is not None and rf >= 0.85)}")
    fp99 = (result["servers"].get("floor", {}).get("local") or {}).get("p99_ms")
    t.append(f"- p99 < 1 ms at {int(float(rate)):,}/s: {fmt(p99, '{:.3f}')} ms {chk(p99 is not None and p99 < 1)}"
             f" (the floor's p99 in this run: {fmt(fp99, '{:.3f}')} ms)")
    t.append(f"- RSS < 20 MB with {names} names: {fmt(rss)} KiB {chk(rss is not None and rss < 20 * 1024)}")
    if b["create_dns_ms"] is not None and b["create_nodns_ms"] is not None:
        d = b["create_dns_ms"] - b["create_nodns_ms"]
        t.append(f"- start-up < 50 ms: {d:.1f} ms {chk(d < 50)}")
    if a.get("connect_dns_ms") is not None:
        d = a["connect_dns_ms"] - a["connect_nodns_ms"]
        t.append(f"- attach ≤ +0.5 ms (p50): {d:+.2f} ms {chk(d <= 0.5)}")
    md += ["Targets (issue 15):"] + t + [""]
if notes:
    md += ["Notes:"] + [f"- {n}" for n in notes] + [""]
open(f"{out_dir}/dns.json", "w").write(json.dumps(result, indent=2) + "\n")
open(f"{out_dir}/dns.md", "w").write("\n".join(md) + "\n")
print("\n".join(md))
PY
