# shellcheck shell=bash
# Overlay networks, kernel side only (no etcd, no agent): simulated hosts join one overlay
# through the hidden test seam `berth overlay-static` with blocks given by hand, and their peers
# are set by hand, exactly as the agent would from etcd. Checked with real traffic between
# containers on different hosts and with the kernel's own view (`ip -d link`, `ip neigh`,
# `bridge fdb`, `ip route`, nftables) afterwards.
#
# Topology: host 1 is the test's host namespace (BT_HOST, state BT_STATE, its uplink to the
# "outside" BT_UP at 203.0.113.0/24); hosts 2 and 3 are namespaces bt-ovhK-<id> with their own
# state directories; every host has eth0 198.51.100.1K/24 on the bridge ul0 of the underlay
# namespace bt-ovul-<id>.

OV_SUBNET=10.240.0.0/16
OV_VNI=4096
OV_PORT=4789

# ov_host K: the namespace of host K.
ov_host() { if [[ $1 == 1 ]]; then echo "$BT_HOST"; else echo "bt-ovh$1-$BT_ID"; fi; }
# ov_state K: the state directory of host K.
ov_state() { if [[ $1 == 1 ]]; then echo "$BT_STATE"; else echo "$BT_TMP/state$1"; fi; }
# ov_berth K ARGS...: berth on host K.
ov_berth() { local k=$1; shift; ip netns exec "$(ov_host "$k")" env BERTH_STATE_DIR="$(ov_state "$k")" "$BERTH" "$@"; }
# ov_vtep K: host K's underlay address.
ov_vtep() { echo "198.51.100.1$1"; }
# ov_block K: host K's block.
ov_block() { echo "10.240.$1.0/24"; }

# ov_underlay N: the underlay namespace and hosts 1..N on it.
ov_underlay() {
    local n=$1 k ns ul="bt-ovul-$BT_ID"
    _bt_mkns "$ul" || fail "cannot create netns $ul"
    ip -n "$ul" link add ul0 type bridge || fail "cannot create the underlay bridge"
    ip -n "$ul" link set ul0 up
    for ((k = 1; k <= n; k++)); do
        ns=$(ov_host "$k")
        if [[ $k != 1 ]]; then
            _bt_mkns "$ns" || fail "cannot create netns $ns"
            mkdir -p "$(ov_state "$k")"
        fi
        ip -n "$ns" link add eth0 type veth peer name "h$k" netns "$ul" || fail "cannot create host $k's underlay veth"
        ip -n "$ul" link set "h$k" master ul0 up
        ip -n "$ns" addr add "$(ov_vtep "$k")/24" dev eth0
        ip -n "$ns" link set eth0 up
    done
    # The underlay carries traffic once every port is forwarding.
    wait_until 10 "underlay up" ip netns exec "$(ov_host 1)" ping -n -q -c1 -W1 "$(ov_vtep 2)"
}

# ov_join K [ARGS...]: host K joins overlay "ov" with its block.
ov_join() {
    local k=$1; shift
    assert_ok ov_berth "$k" overlay-static join ov --subnet "$OV_SUBNET" --block "$(ov_block "$k")" \
        --vni "$OV_VNI" --port "$OV_PORT" --vtep "$(ov_vtep "$k")" "$@"
}

# ov_field K FIELD: a field of `overlay-static show ov` on host K.
ov_field() { ov_berth "$1" overlay-static show ov | awk -v f="$2" '$1 == f { print $2 }'; }

# ov_peer K: host K as a peer (BLOCK=VTEP=MAC).
ov_peer() { echo "$(ov_block "$1")=$(ov_vtep "$1")=$(ov_field "$1" mac)"; }

# ov_container K VAR: a container (netns) on host K attached to "ov"; its address in VAR_IP.
ov_container() {
    local k=$1 var=$2 c
    new_netns_container c
    assert_ok ov_berth "$k" network connect ov "$c"
    printf -v "$var" '%s' "$c"
    printf -v "${var}_IP" '%s' "$(jq -r '.ipv4' <<<"$OUT" | cut -d/ -f1)"
}

# ov_entries K: host K's neighbour, FDB and route entries on its VXLAN device, one per line.
ov_entries() {
    local ns dev
    ns=$(ov_host "$1"); dev=$(ov_field "$1" vxlan)
    ip -n "$ns" neigh show dev "$dev" | sed 's/^/neigh /'
    bridge -n "$ns" fdb show dev "$dev" | sed 's/^/fdb /'
    ip -n "$ns" route show dev "$dev" | sed 's/^/route /'
}

test_overlay_kernel_three_hosts_reach_each_other_and_the_kernel_holds_exactly_the_peers() {
    local k dev ns details mac1 entries c1 c2 c3 c1_IP c2_IP c3_IP out
    ov_underlay 3
    for k in 1 2 3; do ov_join "$k"; done
    # The local network: the block as subnet, .1 as gateway, MTU underlay − 50.
    assert_ok ov_berth 1 network inspect ov
    assert_eq 10.240.1.0/24 "$(jq -r '.[0].subnet' <<<"$OUT")" "subnet is the block"
    assert_eq 10.240.1.1 "$(jq -r '.[0].gateway' <<<"$OUT")" "gateway is the block's .1"
    assert_eq overlay "$(jq -r '.[0].driver' <<<"$OUT")" "driver"
    assert_eq 1450 "$(jq -r '.[0].mtu' <<<"$OUT")" "MTU is the underlay's 1500 − 50"
    # The VXLAN device as the kernel has it.
    dev=$(ov_field 1 vxlan)
    mac1=$(ov_field 1 mac)
    [[ "$dev" == bv* ]] || fail "VXLAN device is not bv…: $dev"
    details=$(ip -n "$BT_HOST" -d link show "$dev")
    assert_contains "$details" "vxlan id $OV_VNI " "VNI"
    assert_contains "$details" "local 198.51.100.11 " "local VTEP"
    assert_contains "$details" "dstport $OV_PORT " "port"
    assert_contains "$details" "nolearning" "no learning"
    assert_contains "$details" "mtu 1450 " "MTU"
    assert_contains "$details" "link/ether $mac1 " "the MAC from the record"
    assert_contains "$details" "alias berth:" "tagged"
    assert_not_contains "$details" "master" "not enslaved to the bridge"
    assert_contains "$(ip -n "$BT_HOST" -o link show "$dev")" ",UP" "up"
    assert_contains "$(ip -n "$BT_HOST" -o -4 addr show dev "$dev")" "10.240.1.0/32" "the block's .0 as /32"
    assert_contains "$(ip -n "$BT_HOST" -o link show "$(ov_field 1 bridge)")" "mtu 1450" "the bridge's MTU"
    # Re-joining with the same settings changes nothing; with another block it is refused.
    out=$(ov_berth 1 overlay-static show ov)
    ov_join 1
    assert_eq "$out" "$(ov_berth 1 overlay-static show ov)" "idempotent re-join"
    assert_berth_error ov_berth 1 overlay-static join ov --subnet "$OV_SUBNET" --block 10.240.9.0/24 \
        --vni "$OV_VNI" --vtep 198.51.100.11
    assert_contains "$ERR" "block 10.240.1.0/24" "the error names the block it has"

    # Every host gets the other two as peers.
    for k in 1 2 3; do
        local peers=() j
        for j in 1 2 3; do [[ $j == "$k" ]] || peers+=("$(ov_peer "$j")"); done
        assert_ok ov_berth "$k" overlay-static peers ov "${peers[@]}"
        assert_eq 2 "$(grep -c '^added ' <<<"$OUT")" "host $k: two peers added"
    done
    # Exactly one neighbour, FDB entry and route per peer, as docs/overlay.md lists them.
    entries=$(ov_entries 1)
    log "host 1 entries:"$'\n'"$entries"
    assert_eq 2 "$(grep -c '^neigh ' <<<"$entries")" "two neighbours"
    assert_eq 2 "$(grep -c '^fdb ' <<<"$entries")" "two FDB entries"
    assert_eq 2 "$(grep -c '^route ' <<<"$entries")" "two routes"
    for k in 2 3; do
        assert_match "$entries" "neigh 10\\.240\\.$k\\.0 lladdr $(ov_field "$k" mac) PERMANENT" "neighbour of host $k"
        assert_match "$entries" "fdb $(ov_field "$k" mac) dst 198\\.51\\.100\\.1$k self permanent" "FDB of host $k"
        assert_match "$entries" "route 10\\.240\\.$k\\.0/24 via 10\\.240\\.$k\\.0 proto [a-z0-9]+ onlink" "route of host $k"
    done
    assert_eq "$(printf 'peer %s\n' "$(ov_peer 2)" "$(ov_peer 3)")" "$(ov_berth 1 overlay-static show ov | grep '^peer ')" "programmed peers"
    # Setting the same peers again is a no-op.
    assert_ok ov_berth 1 overlay-static peers ov "$(ov_peer 2)" "$(ov_peer 3)"
    assert_eq "" "$OUT" "nothing to add or remove"
    # A peer whose VTEP changes gets its FDB entry replaced, with no failure and no leftover.
    assert_ok ov_berth 1 overlay-static peers ov "$(ov_block 2)=198.51.100.99=$(ov_field 2 mac)" "$(ov_peer 3)"
    assert_eq 1 "$(grep -c '^added ' <<<"$OUT")" "the changed peer is added"
    assert_eq 1 "$(grep -c '^removed ' <<<"$OUT")" "its old triple is removed"
    entries=$(ov_entries 1)
    assert_eq 2 "$(grep -c '^fdb ' <<<"$entries")" "still two FDB entries"
    assert_contains "$entries" "dst 198.51.100.99 self permanent" "the new VTEP"
    assert_not_contains "$entries" "dst 198.51.100.12 " "the old VTEP gone"
    assert_ok ov_berth 1 overlay-static peers ov "$(ov_peer 2)" "$(ov_peer 3)"

    # Containers on each host reach each other across hosts, by their overlay addresses.
    ov_container 1 c1; ov_container 2 c2; ov_container 3 c3
    in_subnet "$c1_IP" 10.240.1.0/24 || fail "c1 $c1_IP is not in host 1's block"
    in_subnet "$c2_IP" 10.240.2.0/24 || fail "c2 $c2_IP is not in host 2's block"
    ping_ok "$c1" "$c2_IP"
    ping_ok "$c2" "$c1_IP"
    ping_ok "$c3" "$c1_IP"
    ping_ok "$c2" "$c3_IP"
    # The container's MTU is the overlay's: a full-size packet crosses without fragmenting.
    assert_ok in_ns "$c1" ping -n -q -c1 -W2 -M do -s $((1450 - 28)) "$c2_IP"
    # Cross-host traffic keeps the container's address (no NAT) ...
    start_udp_listener "$c1" 0.0.0.0 7001
    udp_send "$c2" "$c1_IP" 7001
    assert_contains "$(peers_seen 7001)" "$c2_IP" "host 1's container sees host 2's container's own address"
    # ... while traffic to the outside leaves with the host's address.
    start_udp_listener up "$UPSTREAM_IP" 7002
    udp_send "$c1" "$UPSTREAM_IP" 7002
    assert_eq "$UPLINK_HOST_IP" "$(peers_seen 7002 | sort -u)" "NAT out uses the host's address"

    # Host 1 drops host 3: its entries go, traffic between them stops, host 2 stays.
    assert_ok ov_berth 1 overlay-static peers ov "$(ov_peer 2)"
    assert_eq "removed $(ov_peer 3)" "$OUT" "report"
    entries=$(ov_entries 1)
    assert_not_contains "$entries" "10.240.3.0" "host 3's neighbour and route gone"
    assert_not_contains "$entries" "198.51.100.13" "host 3's FDB entry gone"
    ping_fails "$c1" "$c3_IP"
    ping_ok "$c1" "$c2_IP"
    # No peers at all: nothing left on the device.
    assert_ok ov_berth 1 overlay-static peers ov
    assert_eq "" "$(ov_entries 1)" "no entries"
    ping_fails "$c1" "$c2_IP"
    # Level-triggered: entries someone else deleted come back at the next reconcile, and a
    # deleted VXLAN device is recreated first.
    assert_ok ov_berth 1 overlay-static peers ov "$(ov_peer 2)" "$(ov_peer 3)"
    ip -n "$BT_HOST" route del 10.240.2.0/24 dev "$dev"
    assert_ok ov_berth 1 overlay-static peers ov "$(ov_peer 2)" "$(ov_peer 3)"
    assert_eq "added $(ov_peer 2)" "$OUT" "the missing route is put back"
    ip -n "$BT_HOST" link del "$dev"
    assert_ok ov_berth 1 overlay-static peers ov "$(ov_peer 2)" "$(ov_peer 3)"
    assert_eq 2 "$(grep -c '^added ' <<<"$OUT")" "device recreated, both peers programmed"
    assert_contains "$(ip -n "$BT_HOST" -d link show "$dev")" "link/ether $mac1 " "the same MAC"
    ping_ok "$c1" "$c2_IP"
    ping_ok "$c3" "$c1_IP"
}

test_overlay_kernel_firewall_rules_and_removal_leave_nothing() {
    local nft dev br c1 c1_IP c2 c2_IP
    ov_underlay 2
    ov_join 1; ov_join 2
    assert_ok ov_berth 1 overlay-static peers ov "$(ov_peer 2)"
    assert_ok ov_berth 2 overlay-static peers ov "$(ov_peer 1)"
    dev=$(ov_field 1 vxlan); br=$(ov_field 1 bridge)
    nft=$(nft_berth)
    assert_contains "$nft" "iifname \"$dev\" ip saddr $OV_SUBNET return" "guard accepts the overlay through the VXLAN device"
    assert_contains "$nft" "iifname \"$dev\" ip saddr $OV_SUBNET" "forward in from the VXLAN device"
    assert_contains "$nft" "oifname \"$dev\" ip daddr $OV_SUBNET" "forward out to the VXLAN device"
    assert_contains "$nft" "ip daddr $OV_SUBNET return" "no masquerade inside the overlay"
    ov_container 1 c1; ov_container 2 c2
    ping_ok "$c1" "$c2_IP"
    # A host outside the overlay cannot reach the containers by routing to them: the underlay
    # namespace gets a route to host 1's block and is dropped by the guard.
    ip -n "bt-ovul-$BT_ID" addr add 198.51.100.50/24 dev ul0
    ip -n "bt-ovul-$BT_ID" route add 10.240.1.0/24 via 198.51.100.11
    ping_fails "bt-ovul-$BT_ID" "$c1_IP"

    # network rm: no bv/bo device, entry, route or rule left.
    assert_ok ov_berth 1 network rm ov --force
    if ip -n "$BT_HOST" link show "$dev" >/dev/null 2>&1; then fail "VXLAN device $dev left behind"; fi
    if ip -n "$BT_HOST" link show "$br" >/dev/null 2>&1; then fail "bridge $br left behind"; fi
    assert_eq "" "$(host_links | grep -E '^(bv|bo)' || true)" "no bv/bo device left"
    assert_eq "" "$(ip -n "$BT_HOST" route show | grep 10.240 || true)" "no overlay route left"
    assert_eq "" "$(ip -n "$BT_HOST" neigh show | grep 10.240 || true)" "no overlay neighbour left"
    assert_not_contains "$(nft_berth)" "10.240" "no rule of the overlay left"
    assert_not_contains "$(in_host nft list ruleset)" "$dev" "no rule names the VXLAN device"
    assert_clean
}

test_overlay_kernel_bad_joins_are_refused_and_change_nothing() {
    local before
    ov_underlay 2
    create_net local --subnet 10.240.77.0/24
    before=$(snapshot)
    # The whole overlay subnet overlaps a local network (not only the block).
    assert_berth_error ov_berth 1 overlay-static join ov --subnet "$OV_SUBNET" --block 10.240.1.0/24 --vni "$OV_VNI" --vtep 198.51.100.11
    assert_contains "$ERR" "overlaps network 'local'" "names the network"
    # MTU above underlay − 50.
    assert_berth_error ov_berth 1 overlay-static join ov --subnet 10.250.0.0/16 --block 10.250.1.0/24 --vni "$OV_VNI" --vtep 198.51.100.11 --mtu 1451
    assert_contains "$ERR" "at most 1450" "names the ceiling"
    # A VTEP that is not the host's, a block outside the subnet, a host prefix that cannot be.
    assert_berth_error ov_berth 1 overlay-static join ov --subnet 10.250.0.0/16 --block 10.250.1.0/24 --vni "$OV_VNI" --vtep 198.51.100.99
    assert_contains "$ERR" "not an address of this host" "VTEP"
    assert_berth_error ov_berth 1 overlay-static join ov --subnet 10.250.0.0/16 --block 10.251.1.0/24 --vni "$OV_VNI" --vtep 198.51.100.11
    assert_berth_error ov_berth 1 overlay-static join ov --subnet 10.250.0.0/16 --block 10.250.0.0/31 --vni "$OV_VNI" --vtep 198.51.100.11
    assert_berth_error ov_berth 1 overlay-static join ov --subnet 10.250.0.0/16 --block 10.250.1.0/24 --vni 0 --vtep 198.51.100.11
    assert_unchanged "$before"
    # A good join, then bad peers: refused before anything changes.
    assert_ok ov_berth 1 overlay-static join ov --subnet 10.250.0.0/16 --block 10.250.1.0/24 --vni "$OV_VNI" --vtep 198.51.100.11
    before=$(snapshot)
    assert_berth_error ov_berth 1 overlay-static peers ov 10.251.2.0/24=198.51.100.12=02:00:00:00:00:02
    assert_berth_error ov_berth 1 overlay-static peers ov 10.250.1.0/24=198.51.100.12=02:00:00:00:00:02
    assert_berth_error ov_berth 1 overlay-static peers ov 10.250.2.0/24=198.51.100.12
    assert_unchanged "$before"
    # The bridge driver's gc leaves the overlay's bridge alone.
    assert_ok berth_host gc
    assert_unchanged "$before"
    # A second overlay with the same VNI and port: refused by name, or by the kernel (a foreign
    # VXLAN device holds them) with the half-made network taken away again.
    assert_berth_error ov_berth 1 overlay-static join ov2 --subnet 10.252.0.0/16 --block 10.252.1.0/24 --vni "$OV_VNI" --vtep 198.51.100.11
    assert_contains "$ERR" "already used by overlay network 'ov'" "names the other overlay"
    ip -n "$BT_HOST" link add bt-uservx type vxlan id 4242 dstport "$OV_PORT" local 198.51.100.11 nolearning
    before=$(snapshot)
    assert_berth_error ov_berth 1 overlay-static join ov2 --subnet 10.252.0.0/16 --block 10.252.1.0/24 --vni 4242 --vtep 198.51.100.11
    assert_contains "$ERR" "VNI 4242 on port $OV_PORT is already in use" "the kernel's refusal, explained"
    assert_unchanged "$before"
    ip -n "$BT_HOST" link del bt-uservx
}

test_overlay_kernel_gc_and_doctor() {
    local dev c1 c1_IP c2
    ov_underlay 2
    ov_join 1
    dev=$(ov_field 1 vxlan)
    # Containers on the overlay and on a bridge network: gc takes neither driver's veths or
    # bridge for the other's orphans.
    ov_container 1 c1
    create_net plain --subnet 10.77.0.0/24
    new_netns_container c2
    connect plain "$c2"
    assert_ok berth_host gc
    assert_eq "nothing to repair" "$OUT" "gc finds nothing to repair"
    assert_eq 2 "$(ip -n "$BT_HOST" -o link show type veth | grep -c ": bv")" "both veths kept"
    ping_ok "$c1" 10.240.1.1
    # The underlay route the agent picks its VTEP from, and the host id it keeps.
    assert_ok ov_berth 1 overlay-static route 198.51.100.12
    assert_eq "source 198.51.100.11 device eth0 mtu 1500" "$OUT" "underlay route"
    assert_ok ov_berth 2 overlay-static host-id
    assert_match "$OUT" '^[0-9a-f]{16}$' "host id"
    assert_eq "$OUT" "$(ov_berth 2 overlay-static host-id)" "the host id is kept"
    assert_ne "$OUT" "$(ov_berth 1 overlay-static host-id)" "another host has another id"
    # No agent: doctor says so.
    run_capture berth_host doctor
    assert_contains "$OUT" "no berth agent is running for overlay network(s) 'ov'" "agent finding"
    # The kernel's own VXLAN socket on the port is not a process's.
    assert_not_contains "$OUT" "bound by process" "no process finding for the VXLAN device's own socket"
    # VXLAN device down.
    ip -n "$BT_HOST" link set "$dev" down
    run_capture berth_host doctor
    assert_contains "$OUT" "VXLAN device $dev of overlay network 'ov' is down" "down finding"
    # A process takes the port meanwhile: the device cannot come up again, doctor names it.
    local holder
    ip netns exec "$BT_HOST" python3 -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", 4789)); time.sleep(120)' &
    holder=$!; _bt_record pids "$holder"
    wait_until 10 "the port taken" eval "ip netns exec $BT_HOST ss -Hlun 'sport = :4789' | grep -q ."
    if ip -n "$BT_HOST" link set "$dev" up 2>/dev/null; then fail "the VXLAN device came up on a taken port"; fi
    run_capture berth_host doctor
    assert_contains "$OUT" "UDP port 4789 of overlay network 'ov' is bound by process $holder (python3)" "port holder finding"
    kill "$holder"; wait "$holder" 2>/dev/null
    # A leftover VXLAN device of a removed network (tagged by Berth) is deleted by gc; a user's
    # own vxlan is left alone; a missing device of a network is recreated.
    ip -n "$BT_HOST" link add bv0123456789ab type vxlan id 7777 dstport 4790 local 198.51.100.11 nolearning
    ip -n "$BT_HOST" link set bv0123456789ab alias berth:0123456789abcdef
    ip -n "$BT_HOST" link add bvuser type vxlan id 7778 dstport 4791 local 198.51.100.11 nolearning
    ip -n "$BT_HOST" link del "$dev"
    assert_ok berth_host gc
    assert_contains "$OUT" "deleted VXLAN device bv0123456789ab" "gc reports the leftover"
    if ip -n "$BT_HOST" link show bv0123456789ab >/dev/null 2>&1; then fail "leftover VXLAN device still there"; fi
    ip -n "$BT_HOST" link show bvuser >/dev/null 2>&1 || fail "gc deleted a user's vxlan"
    ip -n "$BT_HOST" link show "$dev" >/dev/null 2>&1 || fail "gc did not recreate the network's VXLAN device"
    assert_contains "$(ip -n "$BT_HOST" -d link show "$dev")" "vxlan id $OV_VNI " "recreated with its VNI"
    ip -n "$BT_HOST" link show "$(ov_field 1 bridge)" >/dev/null 2>&1 || fail "gc deleted the overlay's bridge"
    ip -n "$BT_HOST" link del bvuser
}

# _ov_tcx DEVICE [egress]: the eBPF programs on host 1's DEVICE (TCX ingress, or egress), read
# from the kernel by the test's own helper, not through berth.
_ov_tcx() { in_host python3 "$BT_LIB_DIR/tcx_programs.py" "$@" | sort | tr '\n' ' '; }

# fwd_count: packets host 1's forward hook saw between c1 and c2 (the test's own counting table).
_ov_fwd_count() {
    in_host nft list table inet bt_fwdprobe 2>/dev/null | awk '/counter packets/ { for (i = 1; i <= NF; i++) if ($i == "packets") s += $(i + 1) } END { print s + 0 }'
}

test_overlay_kernel_fast_path_skips_the_forward_path_and_gc_keeps_it() {
    local c1 c1_IP c2 c2_IP c3 c3_IP seen k
    ov_underlay 2
    ov_join 1; ov_join 2
    assert_ok ov_berth 1 overlay-static peers ov "$(ov_peer 2)"
    assert_ok ov_berth 2 overlay-static peers ov "$(ov_peer 1)"
    assert_eq on "$(ov_field 1 fastpath)" "the join attached the fast path"
    assert_eq on "$(ov_field 2 fastpath)" "on host 2 too"
    assert_eq 0 "$(ov_field 1 fastpath-entries)" "no container yet"
    ov_container 1 c1; ov_container 2 c2
    assert_eq 1 "$(ov_field 1 fastpath-entries)" "the attach added its entry"
    local hv
    hv=$(ov_berth 1 network inspect ov | jq -r '.[0].endpoints[0].hostIfname')
    assert_contains "$(in_host tc filter show dev "$hv" ingress)" "bov_out_" "c1's veth carries the program (a tc classifier)"
    local vx br vxi
    vx=$(ov_field 1 vxlan); br=$(ov_field 1 bridge)
    vxi=$(ip -n "$BT_HOST" -o link show "$vx" | cut -d: -f1)
    assert_eq "bov_in " "$(_ov_tcx "$vx")" "the kernel holds the into-containers program on the VXLAN device"
    assert_eq "bov_out_$(printf %x "$vxi") " "$(_ov_tcx "$br" egress)" "and the holder on the bridge's egress, named after the VXLAN device (index in hex)"
    # A table of the test's own counts what host 1's forward hook sees between the two.
    in_host nft -f - <<NFT
table inet bt_fwdprobe {
    chain probe {
        type filter hook forward priority -300;
        ip saddr { $c1_IP, $c2_IP } ip daddr { $c1_IP, $c2_IP } counter
    }
}
NFT
    ping_ok "$c1" "$c2_IP"
    ping_ok "$c2" "$c1_IP"
    assert_eq 0 "$(_ov_fwd_count)" "both directions bypass host 1's forward path"
    # TTL: one router hop on each host, as on the normal path (64 - 2).
    assert_contains "$(in_ns "$c1" ping -n -c1 -W2 "$c2_IP")" "ttl=62" "TTL decremented on both hosts"
    # Data both ways over TCP (the listener answers with the address it sees: no NAT inside).
    start_listener "$c2" "$c2_IP" 7001
    assert_eq "$c1_IP" "$(tcp_ask "$c1" "$c2_IP" 7001)" "TCP c1 → c2, unNATed"
    start_listener "$c1" "$c1_IP" 7002
    assert_eq "$c2_IP" "$(tcp_ask "$c2" "$c1_IP" 7002)" "TCP c2 → c1, unNATed"
    # A published port reached from another host's container through this host's overlay
    # address: DNAT, and masquerade, so the reply goes back through conntrack (the host passes
    # bridged traffic through netfilter here: br_netfilter is loaded on this machine).
    new_netns_container c3
    assert_ok ov_berth 1 network connect ov "$c3" --publish 8080:80
    assert_eq 2 "$(ov_field 1 fastpath-entries)" "two containers on host 1"
    start_listener "$c3" 0.0.0.0 80
    assert_eq 10.240.1.1 "$(tcp_ask "$c2" 10.240.1.1 8080)" "published port through the overlay gateway"
    assert_ok berth_host gc
    assert_eq "nothing to repair" "$OUT" "gc leaves a correct fast path alone"

    # Switched off: gc detaches it, traffic takes the forward path and still flows.
    assert_ok env BERTH_OVERLAY_FAST_PATH=off ip netns exec "$BT_HOST" env BERTH_STATE_DIR="$BT_STATE" "$BERTH" gc
    assert_contains "$OUT" "detached the overlay fast path of 'ov'" "gc says what it did"
    assert_eq off "$(ov_field 1 fastpath)" "fast path detached"
    assert_not_contains "$(in_host tc filter show dev "$hv" ingress)" "bov_out_" "and taken off c1's veth"
    assert_eq "" "$(_ov_tcx "$vx")$(_ov_tcx "$br" egress)" "and off the VXLAN device and the bridge (the kernel's view)"
    ping_ok "$c1" "$c2_IP"
    seen=$(_ov_fwd_count)
    [[ $seen -gt 0 ]] || fail "the forward path saw none of the traffic without the fast path"
    assert_eq 10.240.1.1 "$(tcp_ask "$c2" 10.240.1.1 8080)" "published port without the fast path"
    # Back on (the default): gc attaches it again, with every container's veth and entry.
    assert_ok berth_host gc
    assert_contains "$OUT" "attached the overlay fast path of 'ov' to" "gc reattaches"
    assert_eq on "$(ov_field 1 fastpath)" "fast path back"
    assert_eq 2 "$(ov_field 1 fastpath-entries)" "entries refilled from the store"
    ping_ok "$c1" "$c2_IP"
    assert_eq "$seen" "$(_ov_fwd_count)" "the forward path sees nothing again (both directions)"
    assert_contains "$(in_host tc filter show dev "$hv" ingress)" "bov_out_" "c1's veth has it again"
    assert_eq "bov_in " "$(_ov_tcx "$vx")" "the VXLAN device has its program again (one, not two)"
    assert_ok berth_host gc
    assert_eq "nothing to repair" "$OUT" "the refill left nothing to repair"

    # The VXLAN device made again by the peers' reconcile (the agent's, when the device is
    # gone): a new, empty map, which the reconcile fills from the endpoints, and the veths moved
    # to the new device's program.
    ip -n "$BT_HOST" link del "$vx"
    assert_ok ov_berth 1 overlay-static peers ov "$(ov_peer 2)"
    assert_eq 2 "$(ov_field 1 fastpath-entries)" "the reconcile that made the device again refilled the map"
    vxi=$(ip -n "$BT_HOST" -o link show "$vx" | cut -d: -f1)
    assert_eq "bov_out_$(printf %x "$vxi") " "$(_ov_tcx "$br" egress)" "one holder, for the new device"
    seen=$(_ov_fwd_count)
    ping_ok "$c1" "$c2_IP"
    ping_ok "$c2" "$c1_IP"
    assert_eq "$seen" "$(_ov_fwd_count)" "both directions on the fast path again"
    assert_ok berth_host gc
    assert_eq "nothing to repair" "$OUT" "nothing left for gc"
    # A map that lost its entries: doctor counts the containers it lacks, gc fills it again.
    in_host python3 "$BT_LIB_DIR/tcx_programs.py" "$vx" ingress --empty-maps || fail "cannot empty the map"
    assert_eq 0 "$(ov_field 1 fastpath-entries)" "the map is empty"
    run_capture berth_host doctor
    assert_contains "$OUT" "the fast path of overlay network 'ov' knows 0 of its 2 containers" "doctor counts the containers the map lacks"
    assert_ok berth_host gc
    assert_eq 2 "$(ov_field 1 fastpath-entries)" "gc refills the map"
    run_capture berth_host doctor
    assert_not_contains "$OUT" "fast path" "doctor quiet about the fast path again"

    # Duplicates, as two installs at once (the agent's reconcile and a gc) could leave them: a
    # second bov_in on the VXLAN device and a second holder on the bridge. Doctor and gc see
    # them; gc keeps the set the attaches use and removes the rest.
    in_host python3 "$BT_LIB_DIR/tcx_programs.py" "$vx" ingress --attach-next bov_in || fail "cannot attach the stand-in"
    in_host python3 "$BT_LIB_DIR/tcx_programs.py" "$br" egress --attach-next "bov_out_$(printf %x "$vxi")" || fail "cannot attach the stand-in holder"
    assert_eq "bov_in bov_in " "$(_ov_tcx "$vx")" "two into-containers programs"
    run_capture berth_host doctor
    assert_contains "$OUT" "overlay network 'ov' has no fast path" "doctor reports the doubled programs"
    assert_ok berth_host gc
    assert_eq "bov_in " "$(_ov_tcx "$vx")" "gc leaves one on the VXLAN device"
    assert_eq "bov_out_$(printf %x "$vxi") " "$(_ov_tcx "$br" egress)" "and one holder"
    assert_eq 2 "$(ov_field 1 fastpath-entries)" "the one with the entries"
    seen=$(_ov_fwd_count)
    ping_ok "$c1" "$c2_IP"
    ping_ok "$c2" "$c1_IP"
    assert_eq "$seen" "$(_ov_fwd_count)" "still on the fast path both ways"
    assert_ok berth_host gc
    assert_eq "nothing to repair" "$OUT" "then nothing to repair"

    # Detach removes the entry.
    assert_ok ov_berth 1 network disconnect ov "$c3"
    assert_eq 1 "$(ov_field 1 fastpath-entries)" "the detach removed its entry"
    in_host nft delete table inet bt_fwdprobe
    assert_ok ov_berth 1 network rm ov --force
    assert_eq "" "$(host_links | grep -E '^(bv|bo)' || true)" "no bv/bo device left (the programs and map go with them)"
    assert_clean
}
