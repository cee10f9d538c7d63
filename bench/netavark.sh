#!/usr/bin/env bash
# Berth as Podman's netavark against Debian's netavark 1.4, in the same run: `setup` and
# `teardown` as whole processes (bench/timeops.c: posix_spawn + wait, fork and exec included),
# driven with the same JSON (Podman 4.3's NetworkOptions for a bridge network, captured shape),
# with and without one published port, at 0, 100, 500 and 1000 containers already on the network;
# Berth's own CLI (network connect/disconnect) beside them as a reference.
# Berth runs as `netavark` through a link (its front end answers to that name); each tool has its
# own throwaway host namespace and state, and fills it itself, so each faces only its own
# containers. Tools alternate sample by sample, so drift on the shared machine hits both alike.
#
#   BERTH=path/to/berth bash bench/netavark.sh
#   called by bench/compare.sh (make bench; BENCH_NETAVARK=0 skips it)
#   knobs: BENCH_NV_N (samples per cell and tool, default 30), BENCH_NV_LEVELS ("0 100 500 1000"),
#          BENCH_NV_DNS=1 (networks with dns_enabled: netavark starts aardvark-dns, Berth
#          berth-dns; default 0, as Podman's default network "podman"), BENCH_NV_NOTE (a report line)
#
# Writes bench/results/netavark.{md,json} and netavark-samples.txt ("tool op level ms").
#
# Level 0 is the first container of a network: both tools create the bridge and its rules on that
# setup and remove them on its teardown, so the row is network creation and removal as Podman pays
# it. netavark's firewall driver: iptables (its default without firewalld; NETAVARK_FW is not set),
# i.e. the iptables binary (nf_tables backend in Debian) once per rule — inside the tool's own
# namespace, whose tables vanish with it. What each tool leaves in its namespace after the last
# teardown is recorded in the report.
#
# Safety: every interface, address, rule and sysctl lives in namespaces named bt-bench-…$ID…,
# removed by the EXIT trap (also on failure); the tools' state (Berth's store, netavark's
# --config dir) is a private temp dir; no traffic is sent.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BERTH=${BERTH:-$HERE/../.build/release/berth}
NETAVARK=/usr/lib/podman/netavark
N=${BENCH_NV_N:-30}
LEVELS=${BENCH_NV_LEVELS:-0 100 500 1000}
DNS=${BENCH_NV_DNS:-0}
RESULTS=$HERE/results
ID=$$
ST=$(mktemp -d /tmp/bt-bench-nv.XXXXXX)
NOTES=()
[[ -n ${BENCH_NV_NOTE:-} ]] && NOTES+=("$BENCH_NV_NOTE")

log() { printf '[netavark bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

cleanup() {
    trap - EXIT INT TERM
    trap "" PIPE
    local ns pid f
    # berth-dns (BENCH_NV_DNS=1): by its pidfile, only if that pid is berth-dns; aardvark-dns and
    # anything else living in our namespaces: by the PIDs `ip netns pids` lists for them
    f=$ST/state/dns/berth-dns.pid
    if [[ -f $f ]]; then
        pid=$(tr -dc 0-9 <"$f")
        [[ -n $pid ]] && tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | head -n1 | grep -q 'berth-dns$' && kill "$pid" 2>/dev/null
    fi
    while read -r ns; do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null; done
        ip netns del "$ns" 2>/dev/null
    done < <(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^bt-bench-nv[a-z]+$ID(-|$)")
    rm -rf "$ST"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[[ $(id -u) -eq 0 ]] || { echo "bench needs root (network namespaces)" >&2; exit 1; }
[[ -x "$BERTH" ]] || { echo "no berth binary at $BERTH (make build)" >&2; exit 1; }
[[ -x $NETAVARK ]] || { echo "no netavark at $NETAVARK (apt-get install netavark)" >&2; exit 1; }
command -v iptables >/dev/null || { echo "netavark needs iptables (apt-get install iptables)" >&2; exit 1; }
FLOCK=$(command -v flock) || { echo "the bench needs flock (apt-get install util-linux)" >&2; exit 1; }
version_of() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "?"; }

cc -O2 -o "$ST/timeops" "$HERE/timeops.c" || exit 1
TIMEOPS=$ST/timeops
cc -O2 -o "$ST/first_container_floor" "$HERE/first_container_floor.c" -ldl -lpthread || exit 1
# A private copy (the binary under .build may be rebuilt while this runs), run as `netavark`
# through a link, as `make install` lays it out; berth-dns beside it for BENCH_NV_DNS=1.
mkdir -p "$ST/bin" "$ST/state" "$ST/netavark"
cp "$BERTH" "$ST/bin/berth"
[[ -x "$(dirname "$BERTH")/berth-dns" ]] && cp "$(dirname "$BERTH")/berth-dns" "$ST/bin/berth-dns"
ln -s berth "$ST/bin/netavark"
BV=$ST/bin/netavark
# `make` links the Swift runtime statically; a dynamically linked build pays ~3 ms more per process
if ldd "$ST/bin/berth" 2>/dev/null | grep -q libswiftCore; then
    NOTES+=("this berth is linked dynamically to the Swift runtime (not as \`make\` builds it, --static-swift-stdlib): every process pays a few ms more")
fi
if ! "$BV" version 2>/dev/null | grep -q '"version"'; then
    echo "this berth binary has no netavark front end ($BERTH, run as netavark: version failed)" >&2
    exit 1
fi
# The resolv.conf Berth's DNS forwarder would read: a file of this run, never the real host's.
printf 'nameserver 203.0.113.1\n' >"$ST/resolv.conf"

# ---- namespaces: one throwaway host per tool ----------------------------------------------------
newns() { ip netns add "$1" && ip -n "$1" link set lo up; }
hostns() { echo "bt-bench-nvh$ID-$1"; }
# bc: Berth's own CLI (network connect/disconnect, static address, the same kind of network) as a
# reference row, showing what the netavark front end adds to the engine's path
for t in bv nv bc; do newns "$(hostns "$t")" || exit 1; done
declare -A TOOL_NAME=([bv]=berth [nv]=netavark [bc]=berth-cli)
declare -A NET_BASE=([bv]=10.226 [nv]=10.227 [bc]=10.228)
mkdir -p "$ST/state-bc"
ip netns exec "$(hostns bc)" env BERTH_STATE_DIR="$ST/state-bc" "$ST/bin/berth" network create btpod --subnet 10.228.0.0/16 \
    --gateway 10.228.0.1 --dns=false >/dev/null || { echo "berth network create failed" >&2; exit 1; }

# ---- the JSON: Podman 4.3's NetworkOptions for one container on a bridge network -----------------
# (the shape of /work/notes/podman-calls: no port_mappings key without ports; aliases = short id)
cid() { printf '%064x' "$1"; }
ip_of() { echo "${NET_BASE[$1]}.$(($2 / 250)).$(($2 % 250 + 2))"; }
json() { # TOOL IDX PORTS(0|1)
    local t=$1 idx=$2 c ports="" dns=false
    c=$(cid $((idx + 1)))
    ((DNS)) && dns=true
    (($3)) && ports='"port_mappings":[{"host_ip":"","container_port":80,"host_port":8080,"range":1,"protocol":"tcp"}],'
    printf '{"container_id":"%s","container_name":"c%d",%s"networks":{"btpod":{"static_ips":["%s"],"aliases":["%s"],"interface_name":"eth0"}},"network_info":{"btpod":{"name":"btpod","id":"%064d","driver":"bridge","network_interface":"podman9","created":"2026-01-01T00:00:00.000000000Z","subnets":[{"subnet":"%s.0.0/16","gateway":"%s.0.1"}],"ipv6_enabled":false,"internal":false,"dns_enabled":%s,"ipam_options":{"driver":"host-local"}}}}\n' \
        "$c" "$idx" "$ports" "$(ip_of "$t" "$idx")" "${c:0:12}" 9 "${NET_BASE[$t]}" "${NET_BASE[$t]}" "$dns"
}
# step CMD TOOL NS IDX PORTS: one timeops step (the JSON written once, read by both commands)
step() {
    local cmd=$1 t=$2 ns=$3 idx=$4 p=$5 f
    f=$ST/json/$t-$idx-$p.json
    [[ -f $f ]] || { mkdir -p "$ST/json"; json "$t" "$idx" "$p" >"$f"; }
    case $t in
    bc) if [[ $cmd == setup ]]; then echo "BERTH_STATE_DIR=$ST/state-bc $ST/bin/berth network connect btpod $ns --ip $(ip_of bc "$idx")"
        else echo "BERTH_STATE_DIR=$ST/state-bc $ST/bin/berth network disconnect btpod $ns"; fi ;;
    bv) echo "BERTH_STATE_DIR=$ST/state BERTH_RESOLV_CONF=$ST/resolv.conf <$f $BV --config $ST/netavark-bv --rootless=false --aardvark-binary=/usr/lib/podman/aardvark-dns $cmd /run/netns/$ns" ;;
    nv) echo "<$f $NETAVARK --config $ST/netavark --rootless=false --aardvark-binary=/usr/lib/podman/aardvark-dns $cmd /run/netns/$ns" ;;
    esac
}

# ---- the first container's floor (level 0): Berth's ruleset for the network, as Berth renders it
# (a setup in a scratch host namespace, `nft list`, a teardown), then made by
# first_container_floor.c with the bridge and one veth: the kernel's and libnftables' part of a
# network's first setup, without any state. In a host namespace of its own, cleaned untimed.
newns "$(hostns fl)" && newns "bt-bench-nvs$ID-fl" && newns "bt-bench-nvr$ID" && newns "bt-bench-nvr$ID-c" || exit 1
mkdir -p "$ST/state-ruleset"
json bv 1099 0 >"$ST/ruleset-options.json"
ip netns exec "bt-bench-nvr$ID" env BERTH_STATE_DIR="$ST/state-ruleset" BERTH_RESOLV_CONF="$ST/resolv.conf" "$BV" --config "$ST/netavark-r" \
    --rootless=false setup "/run/netns/bt-bench-nvr$ID-c" <"$ST/ruleset-options.json" >/dev/null || { echo "berth setup (ruleset capture) failed" >&2; exit 1; }
{ ip netns exec "bt-bench-nvr$ID" nft list table inet berth; ip netns exec "bt-bench-nvr$ID" nft list table bridge berth 2>/dev/null; } >"$ST/ruleset.nft"
ip netns exec "bt-bench-nvr$ID" env BERTH_STATE_DIR="$ST/state-ruleset" "$BV" --config "$ST/netavark-r" \
    --rootless=false teardown "/run/netns/bt-bench-nvr$ID-c" <"$ST/ruleset-options.json" >/dev/null
grep -q 'table inet berth' "$ST/ruleset.nft" || { echo "no Berth table to measure the floor with" >&2; exit 1; }
{ echo "delete table inet berth"; grep -q 'table bridge berth' "$ST/ruleset.nft" && echo "delete table bridge berth"; } >"$ST/ruleset-delete.nft"
floor_ops() { # the floor, plain and with libnftables on a second thread, each cleaned up untimed
    local v env
    for v in floor floor-threaded; do
        env=""; [[ $v == floor-threaded ]] && env="FLOOR_THREAD=1 "
        printf '%s|setup\t@/run/netns/%s %s%s podman9 /run/netns/bt-bench-nvs%s-fl bvfloor0 %s %s.0.1 16 %s\n' "$v" "$(hostns fl)" "$env" \
            "$ST/first_container_floor" "$ID" "$(ip_of bv 1100)" "${NET_BASE[bv]}" "$ST/ruleset.nft"
        printf 'cleanup|-\t@/run/netns/%s %s link del bvfloor0 ;; %s link del podman9 ;; %s -f %s\n' "$(hostns fl)" \
            "$(command -v ip)" "$(command -v ip)" "$(command -v nft)" "$ST/ruleset-delete.nft"
    done
}

SAMPLES=$ST/samples.txt   # "tool op level ms"
: >"$SAMPLES"; : >"$ST/errors.txt"
# run_ops LEVEL: timeops lines on stdin ("tool|op<TAB>@NS step"), samples of op "-" dropped
run_ops() {
    "$TIMEOPS" 2>>"$ST/errors.txt" | awk -v level="$1" -v samples="$SAMPLES" -v errs="$ST/failed.txt" '
        { split($1, l, "|") }
        $3 != 0 { print l[1], l[2], level >> errs; next }
        l[2] != "-" { printf "%s %s %s %.4f\n", l[1], l[2], level, $2 / 1e6 >> samples }'
}

# ---- fill: each tool sets up its own containers (cheap namespaces), untimed ---------------------
declare -A HAVE=([bv]=0 [nv]=0 [bc]=0)
fill_to() {
    local level=$1 t i pids=()
    for t in bv nv bc; do
        ((HAVE[$t] < level)) || continue
        (
            for ((i = HAVE[$t]; i < level; i++)); do newns "bt-bench-nvf$ID-$t-$i"; done
            for ((i = HAVE[$t]; i < level; i++)); do
                printf 'fill|-\t@/run/netns/%s %s\n' "$(hostns "$t")" "$(step setup "$t" "bt-bench-nvf$ID-$t-$i" "$i" 0)"
            done | run_ops "$level"
        ) &
        pids+=($!)
        HAVE[$t]=$level
    done
    ((${#pids[@]})) && wait "${pids[@]}"
    return 0
}

# ---- measure: setup then teardown, with and without a port, tools alternating ------------------
for t in bv nv bc; do newns "bt-bench-nvs$ID-$t"; done
measure() { # LEVEL
    local level=$1 r k t p idx ns op
    for ((r = 0; r < N; r++)); do
        for ((k = 0; k < 5; k++)); do
            # Berth and netavark with and without a port, and the CLI reference, the order
            # rotating round by round
            case $(((r + k) % 5)) in 0) t=bv p=0 ;; 1) t=nv p=0 ;; 2) t=bv p=1 ;; 3) t=nv p=1 ;; 4) t=bc p=0 ;; esac
            idx=$((1100 + r % 50)) ns=bt-bench-nvs$ID-$t
            op=""; ((p)) && op="+port"
            printf '%s|setup%s\t@/run/netns/%s %s\n' "${TOOL_NAME[$t]}" "$op" "$(hostns "$t")" "$(step setup "$t" "$ns" "$idx" "$p")"
            printf '%s|teardown%s\t@/run/netns/%s %s\n' "${TOOL_NAME[$t]}" "$op" "$(hostns "$t")" "$(step teardown "$t" "$ns" "$idx" "$p")"
            # Berth's teardown leaves the kernel's deletion of the veth (and, for the network's
            # last container, of the bridge) to a detached child holding its operation lock:
            # wait for it, so the next operation, whichever tool's, starts on a quiet kernel. For
            # the netavark front end the wait is timed: how long after its return the child was
            # done (flock's own start, ~2 ms, included).
            case $t in
            bv) printf 'berth|background%s\t@/run/netns/%s %s -x %s true\n' "$op" "$(hostns "$t")" "$FLOCK" "$ST/state/operations.lock" ;;
            bc) printf 'berth-cli|-\t@/run/netns/%s %s -x %s true\n' "$(hostns "$t")" "$FLOCK" "$ST/state-bc/operations.lock" ;;
            esac
        done
        ((level == 0)) && floor_ops
    done | run_ops "$level"
}

# leftovers TOOL: what the tool's host namespace holds besides lo (links, nft ruleset summary)
leftovers() {
    local ns links rules
    ns=$(hostns "$1")
    # a count, with the names when there are few (after a fill: a bridge and one veth each)
    links=$(ip -n "$ns" -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -vx lo |
        awk '{ n++; if (n <= 3) s = s $0 " " } END { if (n > 3) s = s "… (" n " in all)"; printf "%s", s }')
    rules=$(ip netns exec "$ns" nft list ruleset 2>/dev/null | awk '/^table/ {t=$2" "$3} /chain [A-Za-z_-]+ \{/ {c++} /(jump|accept|drop|masquerade|dnat|snat|return)/ {r++} END {printf "%d chains, %d rules", c, r}')
    echo "links: ${links:-none}; nft: $rules; tables: $(ip netns exec "$ns" nft list tables 2>/dev/null | tr '\n' ',' | sed 's/,$//')"
}

log "berth $BERTH vs netavark $(version_of netavark), $N samples per cell, levels [$LEVELS], dns_enabled=$((DNS))"
# the machine's load, start and end: a shared machine's absolute times swing with it, the ratios less
NOTES+=("load average at the start: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)")
first=1
for level in $LEVELS; do
    fill_to "$level"
    log "setup/teardown at $level containers"
    measure "$level"
    if ((first)); then
        # after the first level's last teardown: what each tool left (at level 0: the network's
        # last container is gone)
        for t in bv nv; do NOTES+=("after the last teardown at $level containers, ${TOOL_NAME[$t]}'s host namespace held: $(leftovers "$t")"); done
        first=0
    fi
done
for t in bv nv; do NOTES+=("at the end (${HAVE[$t]} containers set up), ${TOOL_NAME[$t]}'s host namespace held: $(leftovers "$t")"); done
NOTES+=("load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)")
[[ -s $ST/failed.txt ]] && NOTES+=("$(wc -l <"$ST/failed.txt") operations failed and are left out; first errors: $(head -c 600 "$ST/errors.txt" | tr '\n' ' ')")

# ---- report -------------------------------------------------------------------------------------
mkdir -p "$RESULTS"
cp "$SAMPLES" "$RESULTS/netavark-samples.txt"
python3 - "$SAMPLES" "$RESULTS" "$LEVELS" "$N" "$(version_of netavark)" "$(nproc)" "$(uname -r)" "$DNS" \
    "$(printf '%s\n' "${NOTES[@]+"${NOTES[@]}"}")" <<'PY'
import json, sys
samples, out, levels, n, nv_version, cores, kernel, dns, notes = sys.argv[1:10]
levels = [int(x) for x in levels.split()]
data = {}
for line in open(samples):
    tool, op, level, ms = line.split()
    data.setdefault((tool, op, int(level)), []).append(float(ms))
def q(xs, p):
    xs = sorted(xs); return xs[min(len(xs) - 1, int(len(xs) * p))]
ops = ["setup", "teardown", "setup+port", "teardown+port"]
rows, table = [], []
bars = {"setup": 8.0, "setup+port": 5.0, "teardown": 1.0, "teardown+port": 1.0}
for op in ops:
    for level in levels:
        b, v = data.get(("berth", op, level)), data.get(("netavark", op, level))
        if not b or not v:
            continue
        row = {"op": op, "level": level, "n": min(len(b), len(v)),
               "berth_median_ms": q(b, .5), "berth_p90_ms": q(b, .9),
               "netavark_median_ms": q(v, .5), "netavark_p90_ms": q(v, .9)}
        row["ratio_median"] = row["netavark_median_ms"] / row["berth_median_ms"]
        row["ratio_p90"] = row["netavark_p90_ms"] / row["berth_p90_ms"]
        c = data.get(("berth-cli", op, level))
        if c:
            row["berth_cli_median_ms"] = q(c, .5)
        row["bar"] = bars[op]
        row["meets_bar"] = row["ratio_median"] >= bars[op]
        rows.append(row)
md = ["## Berth as netavark vs netavark %s (Podman's setup/teardown)" % nv_version, "",
      "Whole processes driven with the same NetworkOptions JSON; %s samples per cell and tool, %s cores, kernel %s; "
      "dns_enabled %s. ms; ratio = netavark / Berth (higher: Berth faster). Bar: setup ≥ 8×, setup with a port ≥ 5×, "
      "teardown ≥ 1× (no slower). Reference: `berth network connect/disconnect --ip` on a CLI network of the same kind "
      "(which exists before the first container, so its level-0 row is not network creation)." % (n, cores, kernel, "true" if dns == "1" else "false"), "",
      "| operation | containers already there | Berth p50 | Berth p90 | netavark p50 | netavark p90 | ratio p50 | ratio p90 | bar | berth CLI p50 (reference) |",
      "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|"]
for r in rows:
    md.append("| %s | %d | %.2f | %.2f | %.2f | %.2f | %.1f× | %.1f× | %s | %s |" % (
        r["op"], r["level"], r["berth_median_ms"], r["berth_p90_ms"], r["netavark_median_ms"], r["netavark_p90_ms"],
        r["ratio_median"], r["ratio_p90"], ("met (≥ %g×)" if r["meets_bar"] else "**missed** (≥ %g×)") % r["bar"],
        "%.2f" % r["berth_cli_median_ms"] if "berth_cli_median_ms" in r else "—"))
floors = {}
for tool in ["floor", "floor-threaded"]:
    xs = data.get((tool, "setup", 0))
    if xs:
        floors[tool] = {"median_ms": q(xs, .5), "p90_ms": q(xs, .9), "n": len(xs)}
nv0 = data.get(("netavark", "setup", 0))
if floors and nv0:
    best = min(f["median_ms"] for f in floors.values())
    md += ["", "First container's floor (level 0): `bench/first_container_floor.c` makes the bridge and its "
           "address, renders Berth's own table for the network through libnftables and makes one veth, in one "
           "process with no state: p50 %.2f ms (p90 %.2f), %.2f ms with libnftables on a second thread. Against "
           "netavark's %.2f ms that is %.1f× at best: a setup at the 8× bar would have to take %.2f ms." % (
               floors.get("floor", {}).get("median_ms", float("nan")), floors.get("floor", {}).get("p90_ms", float("nan")),
               floors.get("floor-threaded", {}).get("median_ms", float("nan")), q(nv0, .5), q(nv0, .5) / best, q(nv0, .5) / 8)]
background = []
for op in ["background", "background+port"]:
    for level in levels:
        xs = data.get(("berth", op, level))
        if xs:
            background.append("%s %d: %.1f ms" % (op.replace("background", "teardown"), level, q(xs, .5)))
if background:
    md += ["", "Berth's teardown returns once the container (and, at level 0, the network) is taken out of service "
           "and hands the kernel's deletion of the veth (and of the bridge) to a detached child holding its operation "
           "lock; the bench waits for that child after each Berth teardown (`flock` on the lock), so the next "
           "operation starts on a quiet kernel. The child was done this long after the teardown returned (p50, "
           "flock's own ~2 ms start included): " + "; ".join(background) + "."]
notes = [x for x in notes.split("\n") if x]
if notes:
    md += ["", "Notes:", ""] + ["- " + x for x in notes]
open(out + "/netavark.md", "w").write("\n".join(md) + "\n")
json.dump({"netavark_version": nv_version, "samples": int(n), "levels": levels, "dns_enabled": dns == "1",
           "rows": rows, "first_container_floor": floors,
           "teardown_background_median_ms": {"%s %d" % (op, level): q(data[("berth", op, level)], .5)
                                             for op in ["background", "background+port"] for level in levels
                                             if ("berth", op, level) in data},
           "notes": notes}, open(out + "/netavark.json", "w"), indent=2)
print("\n".join(md))
PY
