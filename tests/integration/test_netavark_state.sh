# shellcheck shell=bash
# The engine side of Berth as Podman's netavark (docs/podman.md, "Semantics"), driven the way
# Podman drives it: the `netavark` link to berth, `setup|teardown /run/netns/NAME` with the
# network options on stdin, `update NETWORK --network-dns-servers …`. What is checked is the
# state left behind: links, addresses and routes in the containers, Berth's nft table in the
# host namespace, the store's rows, berth-dns's answers.

DNSTOOL="$BT_LIB_DIR/dnstool.py"

# ---------------------------------------------------------------------------------------------
# helpers (test_netavark.sh has the front end's own; these are the few this file needs)

# pv_run COMMAND [ARGS…]: the netavark link, run as Podman runs it, with $PV_STDIN on stdin;
# sets RC OUT ERR. Never fails.
pv_run() {
    local dir="$BT_TMP/pvbin"
    if [[ ! -L "$dir/netavark" ]]; then
        mkdir -p "$dir" "$BT_TMP/pvconfig"
        ln -s "$BERTH" "$dir/netavark" || fail "cannot link netavark"
    fi
    local -a envs=(PATH="$PATH" BERTH_STATE_DIR="$BT_STATE")
    [[ -n "${BERTH_RESOLV_CONF:-}" ]] && envs+=(BERTH_RESOLV_CONF="$BERTH_RESOLV_CONF")
    [[ -n "${BERTH_DNS_BINARY:-}" ]] && envs+=(BERTH_DNS_BINARY="$BERTH_DNS_BINARY")
    [[ -n "${PV_FAULT:-}" ]] && envs+=(BERTH_FAULT="$PV_FAULT")
    in_host env -i "${envs[@]}" "$dir/netavark" --config "$BT_TMP/pvconfig" --rootless=false \
        --aardvark-binary=/usr/lib/podman/aardvark-dns "$@" <<<"${PV_STDIN:-}" >"$BT_TMP/.out" 2>"$BT_TMP/.err"
    RC=$?
    OUT=$(cat "$BT_TMP/.out")
    ERR=$(cat "$BT_TMP/.err")
    return 0
}

# pv_ok COMMAND [ARGS…]: pv_run, asserting success and nothing on stderr.
pv_ok() {
    pv_run "$@"
    if [[ $RC -ne 0 || -n "$ERR" ]]; then _show_result "netavark $*"; fail "netavark $1 failed (rc $RC)"; fi
}

# pv_error SUBSTRING COMMAND [ARGS…]: pv_run, asserting exit 1 and {"error": "…SUBSTRING…"}.
pv_error() {
    local want=$1; shift
    pv_run "$@"
    if [[ $RC -ne 1 ]]; then _show_result "netavark $*"; fail "netavark $1: expected exit 1, got $RC"; fi
    assert_contains "$(jq -r .error <<<"$OUT" 2>/dev/null)" "$want" "error message"
}

# pv_network NAME BRIDGE SUBNET [JQ_FILTER]: a bridge network as Podman defines it (gateway:
# the subnet's first address), optionally transformed.
pv_network() {
    jq -cn --arg n "$1" --arg b "$2" --arg s "$3" '{
        name: $n, id: "5e4f0c2a9d1b7e3f5e4f0c2a9d1b7e3f5e4f0c2a9d1b7e3f5e4f0c2a9d1b7e3f",
        driver: "bridge", network_interface: $b, created: "2026-12-02T23:00:00.000000000Z",
        subnets: [{subnet: $s, gateway: ($s | sub("0/[0-9]+$"; "1"))}],
        ipv6_enabled: false, internal: false, dns_enabled: true, ipam_options: {driver: "host-local"}}' | jq -c "${4:-.}"
}

# pv_options CID NAME [NETWORK_JSON IFNAME IPS]…: a setup's (or teardown's) options; IPS
# comma-separated, "-" for none. $PV_EXTRA (a jq filter) may adjust the result.
pv_options() {
    local cid=$1 cname=$2; shift 2
    local doc
    doc=$(jq -cn --arg c "$cid" --arg n "$cname" '{container_id: $c, container_name: $n, networks: {}, network_info: {}}')
    while (($# >= 3)); do
        doc=$(jq -c --argjson net "$1" --arg ifn "$2" --arg ip "$3" '
            .network_info[$net.name] = $net
            | .networks[$net.name] = {static_ips: (if $ip == "-" then [] else ($ip | split(",")) end),
                                      aliases: [.container_id[0:12]], interface_name: $ifn}' <<<"$doc")
        shift 3
    done
    jq -cS "${PV_EXTRA:-.}" <<<"$doc"
}

# pv_gone NAME BRIDGE SUBNET: no record, bridge or nft rule of the network is left.
pv_gone() {
    berth_host network ls --format json | jq -e --arg n "$1" 'map(select(.name == $n)) | length == 0' >/dev/null \
        || fail "network $1 is still in Berth's store"
    ip -n "$BT_HOST" link show "$2" >/dev/null 2>&1 && fail "bridge $2 still exists"
    assert_not_contains "$(nft_berth)" "$3" "nft rules of $1 left behind"
}

# pv_present NAME BRIDGE SUBNET: the network's record (owner podman), bridge and rules are there.
pv_present() {
    assert_eq podman "$(berth_host network inspect "$1" | jq -r '.[0].owner')" "owner of $1"
    ip -n "$BT_HOST" link show "$2" >/dev/null 2>&1 || fail "bridge $2 is missing"
    assert_contains "$(nft_berth)" "$3" "nft rules of $1"
}

CID1=aa10905e990522dc476e602803a695f308b18b2e89b06b0a7a7f68589e4f16d1
CID2=bb5422da6c69a81b5fcf09e59ebf3a945eef62e5bb3a5f9069e0fc43192161a2
CID3=cc9a00a6c69a81b5fcf09e59ebf3a945eef62e5bb3a5f9069e0fc4319216333

# ---------------------------------------------------------------------------------------------
# one transaction

test_netavark_state_rollback_when_a_bridge_is_taken() {
    # Proves: a setup whose second network's bridge belongs to a CLI network fails with the
    # ownership error and leaves nothing: the first network (made by this call) is gone again —
    # bridge, rules, record — and the container has no interface.
    berth_host network create cli --subnet 10.77.0.0/24 --bridge podman2 >/dev/null || fail "create cli"
    local c before a b
    new_netns_container c
    before=$(snapshot "$c")
    a=$(pv_network net-a podman1 10.89.1.0/24)
    b=$(pv_network net-b podman2 10.89.2.0/24)
    PV_STDIN=$(pv_options "$CID1" web "$a" eth0 10.89.1.5 "$b" eth1 10.89.2.5)
    pv_error 'network "cli" exists in Berth and was not made by Podman' setup "/run/netns/$c"
    assert_unchanged "$before" "$c"
    pv_gone net-a podman1 10.89.1.0/24
    assert_eq 1 "$(berth_host network ls --format json | jq 'map(select(.name == "cli")) | length')" "the CLI network stays"
}

test_netavark_state_rollback_when_an_address_is_taken() {
    # Proves: the engine's own refusal half-way (the second network's address held by another
    # container, which only the store knows) undoes the first network's endpoint and the
    # network this call made; the second network, in use, stays as it was.
    local c0 c1 a b before
    new_netns_container c0
    new_netns_container c1
    b=$(pv_network net-b podman2 10.89.2.0/24)
    PV_STDIN=$(pv_options "$CID1" first "$b" eth0 10.89.2.5)
    pv_ok setup "/run/netns/$c0"
    before=$(snapshot "$c0" "$c1")
    a=$(pv_network net-a podman1 10.89.1.0/24)
    PV_STDIN=$(pv_options "$CID2" second "$a" eth0 10.89.1.5 "$b" eth1 10.89.2.5)
    pv_error "already in use" setup "/run/netns/$c1"
    assert_unchanged "$before" "$c0" "$c1"
    pv_gone net-a podman1 10.89.1.0/24
    pv_present net-b podman2 10.89.2.0/24
    ping_ok "$c0" 10.89.2.1
}

# ---------------------------------------------------------------------------------------------
# teardown

test_netavark_state_last_teardown_removes_the_network() {
    # Proves: a teardown leaves the network while another container uses it (its traffic
    # unbroken); the teardown of the last one removes bridge, rules and record; a second
    # teardown, and one of a network Berth never saw, succeed and change nothing.
    local c1 c2 net before
    new_netns_container c1
    new_netns_container c2
    net=$(pv_network shared podman3 10.89.3.0/24)
    PV_STDIN=$(pv_options "$CID1" one "$net" eth0 10.89.3.2); pv_ok setup "/run/netns/$c1"
    PV_STDIN=$(pv_options "$CID2" two "$net" eth0 10.89.3.3); pv_ok setup "/run/netns/$c2"
    ping_ok "$c1" 10.89.3.3
    PV_STDIN=$(pv_options "$CID1" one "$net" eth0 10.89.3.2); pv_ok teardown "/run/netns/$c1"
    assert_eq "" "$OUT" "teardown prints nothing"
    assert_container_clean "$c1"
    pv_present shared podman3 10.89.3.0/24
    ping_ok "$c2" 10.89.3.1
    ping_ok "$c2" "$UPSTREAM_IP"
    PV_STDIN=$(pv_options "$CID2" two "$net" eth0 10.89.3.3); pv_ok teardown "/run/netns/$c2"
    assert_container_clean "$c2"
    assert_clean
    pv_gone shared podman3 10.89.3.0/24
    before=$(snapshot)
    pv_ok teardown "/run/netns/$c2"
    PV_STDIN=$(pv_options "$CID2" two "$(pv_network never podman9 10.89.9.0/24)" eth0 10.89.9.3)
    pv_ok teardown "/run/netns/$c2"
    assert_unchanged "$before"
}

test_netavark_state_teardown_when_the_namespace_is_gone() {
    # Proves: a teardown after the container's namespace died (Podman's cleanup after a crash)
    # releases the endpoint and removes the network.
    local c net
    new_netns_container c
    net=$(pv_network gone podman4 10.89.4.0/24)
    PV_STDIN=$(pv_options "$CID1" web "$net" eth0 10.89.4.2)
    pv_ok setup "/run/netns/$c"
    ip netns del "$c" || fail "cannot delete $c"
    pv_ok teardown "/run/netns/$c"
    assert_clean
    pv_gone gone podman4 10.89.4.0/24
}

test_netavark_state_owner_refusal() {
    # Proves: a Berth network of the same name made with the CLI is never taken over by a
    # setup, nor removed by a teardown.
    berth_host network create example --subnet 10.89.5.0/24 >/dev/null || fail "create example"
    local c net before
    new_netns_container c
    before=$(snapshot "$c")
    net=$(pv_network example podman5 10.89.5.0/24)
    PV_STDIN=$(pv_options "$CID1" web "$net" eth0 10.89.5.7)
    pv_error 'network "example" exists in Berth and was not made by Podman' setup "/run/netns/$c"
    assert_unchanged "$before" "$c"
    pv_ok teardown "/run/netns/$c"
    assert_unchanged "$before" "$c"
}

# ---------------------------------------------------------------------------------------------
# what a container gets

test_netavark_state_addressless_network() {
    # Proves: IPAM none gives the container an interface that is up, with no address and no
    # route; the bridge carries no address and Berth renders no rule for it; the last teardown
    # removes it.
    local c1 c2 net nft_before status
    new_netns_container c1
    new_netns_container c2
    nft_before=$(nft_berth)
    net=$(pv_network bare podman6 10.89.6.0/24 '.subnets = [] | .dns_enabled = false | .ipam_options.driver = "none"')
    PV_STDIN=$(pv_options "$CID1" one "$net" eth0 -)
    pv_ok setup "/run/netns/$c1"
    status=$OUT
    assert_eq '[]' "$(jq -c '.bare.interfaces.eth0.subnets' <<<"$status")" "no subnets in the status block"
    assert_match "$(in_ns "$c1" ip -o link show dev eth0)" "state UP|,UP" "eth0 is up"
    assert_eq "" "$(in_ns "$c1" ip -o addr show dev eth0 scope global)" "no address on eth0"
    assert_eq "" "$(in_ns "$c1" ip -4 route show)" "no IPv4 route"
    assert_eq "" "$(in_ns "$c1" ip -6 route show dev eth0 2>/dev/null | grep -v '^fe80' || true)" "no IPv6 route"
    assert_eq "" "$(ip -n "$BT_HOST" -o addr show dev podman6 scope global)" "no address on the bridge"
    assert_eq "$nft_before" "$(nft_berth)" "no rules for an addressless network"
    PV_STDIN=$(pv_options "$CID2" two "$net" eth0 -)
    pv_ok setup "/run/netns/$c2"
    # Layer 2 works between them: link-local IPv4 addresses given by hand (in the containers only).
    in_ns "$c1" ip addr add 169.254.6.1/16 dev eth0
    in_ns "$c2" ip addr add 169.254.6.2/16 dev eth0
    ping_ok "$c1" 169.254.6.2
    # gc and doctor take the network as it is.
    assert_ok berth_host gc --dry-run
    assert_eq "nothing to repair" "$OUT" "nothing for gc to repair"
    assert_ok berth_host doctor
    PV_STDIN=$(pv_options "$CID1" one "$net" eth0 -); pv_ok teardown "/run/netns/$c1"
    ip -n "$BT_HOST" link show podman6 >/dev/null 2>&1 || fail "bridge removed while a container uses it"
    PV_STDIN=$(pv_options "$CID2" two "$net" eth0 -); pv_ok teardown "/run/netns/$c2"
    assert_clean
    ip -n "$BT_HOST" link show podman6 >/dev/null 2>&1 && fail "bridge podman6 left behind"
    return 0
}

test_netavark_state_route_metric() {
    # Proves: the default route carries netavark's metric 100 when the network sets none, and
    # the network's own `metric` otherwise; two networks with different metrics both install
    # their default route, and `berth network inspect` shows the metric.
    local c net1 net2
    new_netns_container c
    net1=$(pv_network m100 podman7 10.89.7.0/24)
    net2=$(pv_network m200 podman8 10.89.8.0/24 '.options = {metric: "200"}')
    PV_STDIN=$(pv_options "$CID1" web "$net1" eth0 10.89.7.2 "$net2" eth1 10.89.8.2)
    pv_ok setup "/run/netns/$c"
    local routes
    routes=$(in_ns "$c" ip -4 route show default)
    assert_contains "$routes" "default via 10.89.7.1 dev eth0 metric 100" "metric 100 (netavark's default)"
    assert_contains "$routes" "default via 10.89.8.1 dev eth1 metric 200" "the network's metric"
    assert_eq 200 "$(berth_host network inspect m200 | jq -r '.[0].routeMetric')" "inspect shows the metric"
    ping_ok "$c" "$UPSTREAM_IP"
    PV_STDIN=$(pv_options "$CID1" web "$net1" eth0 10.89.7.2 "$net2" eth1 10.89.8.2)
    pv_ok teardown "/run/netns/$c"
    assert_clean
    pv_gone m100 podman7 10.89.7.0/24
    pv_gone m200 podman8 10.89.8.0/24
}

test_netavark_state_dual_stack_and_static_mac() {
    # Proves: both of Podman's addresses are recorded and configured, both default routes carry
    # metric 100, the gateways answer over both families, and a static MAC is the interface's.
    [[ -e /proc/sys/net/ipv6 ]] || skip_test "IPv6 is disabled in this kernel"
    local c net status
    new_netns_container c
    net=$(pv_network dual podman10 10.89.10.0/24 \
        '.ipv6_enabled = true | .subnets += [{subnet: "fd00:89:10::/64", gateway: "fd00:89:10::1"}]')
    PV_STDIN=$(PV_EXTRA='.networks.dual.static_mac = "02:aa:bb:cc:dd:10"' \
        pv_options "$CID1" web "$net" eth0 10.89.10.4,fd00:89:10::4)
    pv_ok setup "/run/netns/$c"
    status=$OUT
    assert_eq '02:aa:bb:cc:dd:10' "$(in_ns "$c" cat /sys/class/net/eth0/address)" "static MAC"
    assert_eq '02:aa:bb:cc:dd:10' "$(jq -r '.dual.interfaces.eth0.mac_address' <<<"$status")" "mac_address in the status block"
    assert_contains "$(in_ns "$c" ip -o addr show dev eth0)" "10.89.10.4/24" "IPv4 address"
    assert_contains "$(in_ns "$c" ip -o addr show dev eth0)" "fd00:89:10::4/64" "IPv6 address"
    assert_contains "$(in_ns "$c" ip -4 route show default)" "metric 100" "IPv4 default route metric"
    assert_contains "$(in_ns "$c" ip -6 route show default)" "via fd00:89:10::1 dev eth0 metric 100" "IPv6 default route metric"
    ping_ok "$c" 10.89.10.1
    ping_ok "$c" fd00:89:10::1
    assert_eq '["fd00:89:10::4"]' "$(berth_host endpoints --format json | jq -c '[.[].ipv6 | split("/")[0]]')" "the store records Podman's IPv6 address"
    PV_STDIN=$(pv_options "$CID1" web "$net" eth0 10.89.10.4,fd00:89:10::4)
    pv_ok teardown "/run/netns/$c"
    assert_clean
    pv_gone dual podman10 fd00:89:10::/64
}

# ---------------------------------------------------------------------------------------------
# update

# pv_query NS SERVER NAME: one A query from NS; sets Q (the reply as JSON) and Q_RC.
pv_query() {
    Q=$(in_ns "$1" python3 "$DNSTOOL" query "$2" "$3" A 2>&1)
    Q_RC=$(jq -r '.rcode' <<<"$Q" 2>/dev/null) || fail "dnstool printed no JSON: $Q"
}

# pv_upstream ADDR NAME=ADDR: a test DNS upstream in the upstream namespace on ADDR:53.
pv_upstream() {
    local addr=$1 file="$BT_TMP/upstream-$1.log"
    in_up sysctl -qw net.ipv4.icmp_ratelimit=0 2>/dev/null
    [[ "$addr" == "$UPSTREAM_IP" ]] || ip -n "$BT_UP" addr add "$addr/32" dev lo || fail "add $addr"
    : >"$file"
    _ns_prefix up
    "${NSPFX[@]}" python3 "$DNSTOOL" upstream --listen "$addr" --log "$file" --mode answer \
        --ready "$file.ready" --record "$2" </dev/null >/dev/null 2>"$file.err" &
    _await_listener "$!" "$file" "DNS upstream on $addr"
}

test_netavark_state_update_dns_servers_live() {
    # Proves: `netavark update NET --network-dns-servers A` makes berth-dns forward the
    # network's queries to A before it returns (the very next query goes there); none clears
    # them (back to the host's resolv.conf); an unknown network is an error.
    pv_upstream "$UPSTREAM_IP" ext.example=192.0.2.10
    pv_upstream 198.51.100.21 ext.example=192.0.2.21
    local c net
    new_netns_container c
    net=$(pv_network named podman11 10.89.11.0/24)
    PV_STDIN=$(pv_options "$CID1" web "$net" eth0 10.89.11.2)
    pv_ok setup "/run/netns/$c"
    pv_query "$c" 10.89.11.1 ext.example
    assert_eq 192.0.2.10 "$(jq -r '.answers[0].data' <<<"$Q")" "the host's upstream first: $Q"
    PV_STDIN="" pv_ok update named --network-dns-servers 198.51.100.21
    assert_eq "" "$OUT" "update prints nothing"
    assert_eq '["198.51.100.21"]' "$(berth_host network inspect named | jq -c '.[0].dnsServers')" "recorded"
    pv_query "$c" 10.89.11.1 ext.example
    assert_eq 192.0.2.21 "$(jq -r '.answers[0].data' <<<"$Q")" "the new upstream at once: $Q"
    assert_contains "$(cat "$BT_TMP/upstream-198.51.100.21.log")" "ext.example" "the query reached the new upstream"
    PV_STDIN="" pv_ok update named --network-dns-servers
    pv_query "$c" 10.89.11.1 ext.example
    assert_eq 192.0.2.10 "$(jq -r '.answers[0].data' <<<"$Q")" "cleared: the host's upstream again: $Q"
    PV_STDIN="" pv_error "missing" update missing --network-dns-servers 198.51.100.21
}

# ---------------------------------------------------------------------------------------------
# concurrency

# pv_bg TAG COMMAND NETNS_PATH: pv_run's call in the background with $PV_STDIN (and
# BERTH_FAULT=$PV_FAULT when set), its exit status in $BT_TMP/TAG.rc and stdout in $BT_TMP/TAG.out.
pv_bg() {
    local tag=$1; shift
    local -a envs=(PATH="$PATH" BERTH_STATE_DIR="$BT_STATE")
    [[ -n "${BERTH_RESOLV_CONF:-}" ]] && envs+=(BERTH_RESOLV_CONF="$BERTH_RESOLV_CONF")
    [[ -n "${BERTH_DNS_BINARY:-}" ]] && envs+=(BERTH_DNS_BINARY="$BERTH_DNS_BINARY")
    [[ -n "${PV_FAULT:-}" ]] && envs+=(BERTH_FAULT="$PV_FAULT")
    ( in_host env -i "${envs[@]}" "$BT_TMP/pvbin/netavark" --config "$BT_TMP/pvconfig" --rootless=false "$@" \
        <<<"$PV_STDIN" >"$BT_TMP/$tag.out" 2>"$BT_TMP/$tag.err"; echo $? >"$BT_TMP/$tag.rc" ) &
}

# pv_no_record NAME: Berth's store has no network NAME.
pv_no_record() { berth_host network ls --format json | jq -e --arg n "$1" 'map(select(.name == $n)) | length == 0' >/dev/null; }

test_netavark_state_last_teardown_leaves_only_the_bridge_deletion_behind() {
    # Proves: the teardown of a network's last container takes the network away before it
    # returns (record, rules, the bridge's name and gateway) and hands only the kernel's deletion
    # of the bridge to a detached child (paused here, BERTH_FAULT=rm:before-bridge-delete@pause);
    # a setup right after makes the network again on the same bridge name and gateway, with
    # traffic; the child then deletes the old bridge alone, and gc finds nothing.
    local ca net id retired
    new_netns_container ca
    net=$(pv_network quick podman13 10.89.13.0/24)
    PV_STDIN=$(pv_options "$CID1" a "$net" eth0 10.89.13.2); pv_ok setup "/run/netns/$ca"
    id=$(berth_host network inspect quick | jq -r '.[0].id')
    retired="bx${id:0:13}"
    PV_FAULT=rm:before-bridge-delete@pause PV_STDIN=$(pv_options "$CID1" a "$net" eth0 10.89.13.2) \
        pv_ok teardown "/run/netns/$ca"
    pv_gone quick podman13 10.89.13.0/24
    ip -n "$BT_HOST" -o link show "$retired" >/dev/null 2>&1 || fail "the old bridge should wait for its paused child as $retired"
    assert_eq "" "$(ip -n "$BT_HOST" -o -4 addr show dev "$retired")" "the old bridge's gateway is free"

    PV_STDIN=$(pv_options "$CID2" b "$net" eth0 10.89.13.3); pv_ok setup "/run/netns/$ca"
    pv_present quick podman13 10.89.13.0/24
    ping_ok "$ca" 10.89.13.1
    ip -n "$BT_HOST" -o link show "$retired" >/dev/null 2>&1 || fail "the child finished before the setup was checked: nothing overlapped"
    await_detaches
    if ip -n "$BT_HOST" -o link show "$retired" >/dev/null 2>&1; then fail "the old bridge $retired outlived its child"; fi
    ping_ok "$ca" 10.89.13.1
    assert_ok berth_host gc --dry-run
    assert_eq "nothing to repair" "$OUT" "nothing for gc to repair"
    PV_STDIN=$(pv_options "$CID2" b "$net" eth0 10.89.13.3); pv_ok teardown "/run/netns/$ca"
    pv_gone quick podman13 10.89.13.0/24
    assert_clean
}

test_netavark_state_teardown_races_setup() {
    # Proves: the teardown of a network's last container racing the setup of the next one on
    # the same network never fails either, and never leaves the setup on a network the
    # teardown then takes apart: the setup finds the network whole (and keeps it) or gone (and
    # makes it again), never half-removed. First with the teardown stalled between the
    # record's removal and the bridge's (BERTH_FAULT=rm:after-record@pause, 2 s) and the setup
    # started inside that window; then 8 free-running rounds.
    local ca cb net i rc_a rc_b
    new_netns_container ca
    new_netns_container cb
    net=$(pv_network race podman12 10.89.12.0/24)
    PV_STDIN="" pv_run version   # makes the link
    for ((i = 0; i <= ${PV_ROUNDS:-8}; i++)); do
        PV_STDIN=$(pv_options "$CID1" a "$net" eth0 10.89.12.2); pv_ok setup "/run/netns/$ca"
        PV_STDIN=$(pv_options "$CID1" a "$net" eth0 10.89.12.2) PV_FAULT=$( ((i == 0)) && echo rm:after-record@pause) \
            pv_bg down teardown "/run/netns/$ca"
        if ((i == 0)); then
            wait_until 5 "the record removed" pv_no_record race
            ip -n "$BT_HOST" link show podman12 >/dev/null 2>&1 || fail "the teardown did not stall before the bridge"
        fi
        PV_STDIN=$(pv_options "$CID2" b "$net" eth0 10.89.12.3) pv_bg up setup "/run/netns/$cb"
        wait
        rc_a=$(cat "$BT_TMP/down.rc"); rc_b=$(cat "$BT_TMP/up.rc")
        [[ "$rc_a" == 0 ]] || fail "round $i: teardown failed: $(cat "$BT_TMP/down.out")"
        [[ "$rc_b" == 0 ]] || fail "round $i: setup failed: $(cat "$BT_TMP/up.out")"
        assert_eq 10.89.12.3/24 "$(container_ipv4 "$cb")" "round $i: b's address"
        ping_ok "$cb" 10.89.12.1
        pv_present race podman12 10.89.12.0/24
        assert_eq 1 "$(berth_host endpoints --format json | jq length)" "round $i: one endpoint"
        PV_STDIN=$(pv_options "$CID2" b "$net" eth0 10.89.12.3); pv_ok teardown "/run/netns/$cb"
        pv_gone race podman12 10.89.12.0/24
    done
    assert_clean
}
