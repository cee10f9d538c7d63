# shellcheck shell=bash
# Detach without waiting for the kernel: the records are released and the container's interface
# name is free when disconnect/DEL returns; a detached child deletes the veth; gc finishes what a
# killed child or a crash left.

# link_in_host NAME: the `ip -o link` line of a host link, without waiting for pending deletions.
link_in_host() { ip -n "$BT_HOST" -o link show dev "$1" 2>/dev/null; }

# _detach_in_flight NETWORK CONTAINER IP HOSTIF: with the deleting child paused, the endpoint is
# released, the old veth is out of service (no carrier, bridge port disabled) and eth0 is free in the container.
_detach_in_flight() {
    local net=$1 c=$2 ip=$3 hostif=$4 old
    assert_eq "[]" "$(berth_host endpoints --format json | jq -c .)" "record released when detach returns"
    old=$(link_in_host "$hostif") || fail "the old veth should still be there while its child is paused (deleted synchronously?)"
    assert_contains "$old" "NO-CARRIER" "old host veth has no carrier (its container end is down)"
    assert_contains "$(ip -n "$BT_HOST" -d -o link show dev "$hostif")" "state disabled" "its bridge port is disabled"
    if in_ns "$c" ip link show dev eth0 >/dev/null 2>&1; then fail "eth0 still taken in the container after detach"; fi
    assert_contains "$(in_ns "$c" ip -o link show)" "bd" "the old container end waits under its retired name"
    assert_eq "" "$(in_ns "$c" ip -4 route show)" "no route through the old interface"
    assert_not_contains "$(nft_berth)" "$ip" "published port withdrawn at once"
}

test_detach_returns_before_the_veth_is_deleted_and_reattach_works_at_once() {
    local c ip hostif
    create_net det --subnet 10.123.60.0/24
    new_netns_container c
    connect det "$c" -p 18080:80
    ip=$EP_IP hostif=$EP_HOSTIF
    # The child stalls two seconds before its RTM_DELLINK: everything below happens meanwhile.
    assert_ok ip netns exec "$BT_HOST" env BERTH_STATE_DIR="$BT_STATE" BERTH_FAULT=disconnect:before-delete@pause \
        "$BERTH" network disconnect det "$c"
    _detach_in_flight det "$c" "$ip" "$hostif"

    # Same container, same interface name, same address, right away.
    connect det "$c" --ip "$ip"
    assert_eq eth0 "$EP_IFNAME" "re-attached as eth0"
    assert_ne "$hostif" "$EP_HOSTIF" "a new veth"
    ping_ok "$c" "$NET_GW"
    ping_ok host "$ip"

    # The old veth goes as soon as the child is done (it holds the operation lock until then).
    await_detaches
    if link_in_host "$hostif" >/dev/null; then fail "old veth $hostif still there after its child finished"; fi
    assert_eq "eth0 lo" "$(ns_links "$c" | sort | xargs)" "only the new eth0 left in the container"
    ping_ok "$c" "$NET_GW"
    assert_ok berth_host gc --dry-run
    assert_eq "nothing to repair" "$OUT" "nothing for gc to repair"
    assert_ok berth_host network disconnect det "$c"
    assert_clean
    assert_container_clean "$c"
}

test_cni_del_returns_before_the_veth_is_deleted_and_add_works_at_once() {
    local c ip hostif
    new_netns_container c
    CNI_STDIN=$(cni_conf cnidet '.subnet = "10.123.61.0/24"') cni_ok ADD ctr1 "$(cni_netns "$c")" eth0
    ip=$(jq -r '.ips[0].address' <<<"$OUT"); ip=${ip%/*}
    hostif=$(jq -r '.interfaces[1].name' <<<"$OUT")
    CNI_EXTRA_ENV=BERTH_FAULT=disconnect:before-delete@pause CNI_STDIN=$(cni_conf cnidet) cni_ok DEL ctr1 "" eth0
    _detach_in_flight cnidet "$c" "$ip" "$hostif"
    CNI_STDIN=$(cni_conf cnidet) cni_ok ADD ctr1 "$(cni_netns "$c")" eth0 "IP=$ip"
    assert_eq "$ip/24" "$(jq -r '.ips[0].address' <<<"$OUT")" "the released address again"
    ping_ok "$c" 10.123.61.1
    CNI_STDIN=$(cni_conf cnidet) cni_ok DEL ctr1 "" eth0
    assert_clean
    assert_container_clean "$c"
}

test_gc_finishes_a_detach_whose_child_was_killed() {
    local c hostif
    create_net detkill --subnet 10.123.62.0/24
    new_pid_container c
    connect detkill "$c"
    hostif=$EP_HOSTIF
    # The child dies by SIGKILL before deleting; the command itself succeeds.
    assert_ok ip netns exec "$BT_HOST" env BERTH_STATE_DIR="$BT_STATE" BERTH_FAULT=disconnect:before-delete \
        "$BERTH" network disconnect detkill "$c"
    await_detaches
    link_in_host "$hostif" >/dev/null || fail "the killed child's veth should be left for gc"
    assert_eq "[]" "$(berth_host endpoints --format json | jq -c .)" "record released"
    assert_ok berth_host gc --dry-run
    assert_contains "$OUT" "deleted detached veth $hostif"
    link_in_host "$hostif" >/dev/null || fail "gc --dry-run deleted something"
    assert_ok berth_host gc
    assert_contains "$OUT" "deleted detached veth $hostif"
    assert_clean
    assert_container_clean "$c"
    connect detkill "$c"
    ping_ok "$c" "$NET_GW"
}

test_detach_of_a_namespace_out_of_reach_deletes_at_once() {
    local c hostif
    create_net detgone --subnet 10.123.63.0/24
    new_pid_container c
    connect detgone "$c"
    hostif=$EP_HOSTIF
    kill_container "$c"
    # The namespace went with the process (and its veth with it, in the kernel's own time): the
    # detach finds nothing to retire, takes the synchronous path and still releases everything.
    assert_ok berth_host network disconnect detgone "$c"
    assert_clean
}

# A detach killed after it retired the veth but before it released the record: the container's
# eth0 is gone from its name, so connecting it again finishes the dead detach (as gc would)
# instead of calling the interface "already connected".
test_connect_after_a_detach_that_died_midway() {
    local c hostif
    create_net detdied --subnet 10.123.64.0/24
    new_netns_container c
    connect detdied "$c" -p 18090:80
    hostif=$EP_HOSTIF
    run_capture ip netns exec "$BT_HOST" env BERTH_STATE_DIR="$BT_STATE" BERTH_FAULT=disconnect:after-retire \
        "$BERTH" network disconnect detdied "$c"
    assert_eq 137 "$RC" "the detach was killed after retiring the veth"
    assert_eq active "$(berth_host endpoints --format json | jq -r '.[0].state')" "its record is still there"
    connect detdied "$c" -p 18090:80
    ping_ok "$c" "$NET_GW"
    assert_eq 1 "$(berth_host endpoints --format json | jq length)" "one endpoint, the new one"
    if link_in_host "$hostif" >/dev/null; then fail "the retired veth of the dead detach is still there"; fi
    assert_ok berth_host network disconnect detdied "$c"
    assert_clean
}

# _retired_bridge_in_flight RETIRED ID: a removed network's bridge waits for its deleting child
# under its retired name: down, without addresses, still tagged with the network's id.
_retired_bridge_in_flight() {
    local retired=$1 id=$2 line
    line=$(link_in_host "$retired") || fail "the retired bridge $retired should wait while its child is paused (deleted synchronously?)"
    assert_not_contains "$line" ",UP" "the retired bridge is down"
    assert_eq "" "$(ip -n "$BT_HOST" -o -4 addr show dev "$retired")" "no IPv4 address left on the retired bridge"
    assert_eq "" "$(ip -n "$BT_HOST" -o -6 addr show dev "$retired" scope global)" "no IPv6 gateway left on the retired bridge"
    assert_contains "$(ip -n "$BT_HOST" -d -o link show dev "$retired")" "alias berth:$id" "still tagged for gc"
}

test_network_rm_returns_before_the_bridge_is_deleted_and_its_name_and_gateway_are_free() {
    # Proves: `network rm` hands the bridge's deletion (tens of ms of kernel waits) to a child,
    # having freed the bridge's name and gateway addresses first, so the same network made again
    # at once (same bridge name, same subnets) works and carries traffic; the child then deletes
    # the old bridge and leaves nothing for gc.
    local c id retired
    # IPv6 addresses then survive the bridge going down: only their deletion frees the gateway.
    assert_ok in_host sysctl -qw net.ipv6.conf.default.keep_addr_on_down=1
    create_net detrm --subnet 10.123.65.0/24 --subnet 2001:db8:65::/64 --bridge btdetrm
    id=$(jq -r '.[0].id' <<<"$OUT")
    retired="bx${id:0:13}"
    new_netns_container c
    connect detrm "$c"
    assert_ok in_host env BERTH_STATE_DIR="$BT_STATE" BERTH_FAULT=rm:before-bridge-delete@pause \
        "$BERTH" network rm --force detrm
    if link_in_host btdetrm >/dev/null; then fail "the bridge still has the network's name after rm"; fi
    _retired_bridge_in_flight "$retired" "$id"
    assert_not_contains "$(ip -n "$BT_HOST" -4 route show)" "10.123.65." "no IPv4 route through the old bridge"
    assert_not_contains "$(ip -n "$BT_HOST" -6 route show)" "2001:db8:65:" "no IPv6 route through the old bridge"

    # The same network again, right away: same bridge name, same gateways.
    create_net detrm --subnet 10.123.65.0/24 --subnet 2001:db8:65::/64 --bridge btdetrm
    assert_ne "$id" "$(jq -r '.[0].id' <<<"$OUT")" "a new network id"
    connect detrm "$c"
    ping_ok "$c" 10.123.65.1
    ping_ok host "$EP_IP"
    assert_contains "$(ip -n "$BT_HOST" -o -6 addr show dev btdetrm scope global)" "2001:db8:65::1/64" "the new bridge has the IPv6 gateway"
    link_in_host "$retired" >/dev/null || fail "the child finished before the new network was checked: nothing overlapped"

    # The child deletes the old bridge only.
    await_detaches
    if link_in_host "$retired" >/dev/null; then fail "retired bridge $retired still there after its child finished"; fi
    ping_ok "$c" 10.123.65.1
    assert_ok berth_host gc --dry-run
    assert_eq "nothing to repair" "$OUT" "nothing for gc to repair"
    assert_ok berth_host network rm --force detrm
    assert_clean btdetrm:10.123.65.
    assert_container_clean "$c"
}

test_gc_deletes_a_removed_networks_bridge_whose_child_was_killed() {
    # Proves: a bridge whose deleting child died (SIGKILL before its RTM_DELLINK) is deleted by
    # gc as the bridge of a removed network (and listed by its dry run); rm itself succeeded.
    local id retired
    create_net detrmkill --subnet 10.123.66.0/24
    id=$(jq -r '.[0].id' <<<"$OUT")
    retired="bx${id:0:13}"
    assert_ok in_host env BERTH_STATE_DIR="$BT_STATE" BERTH_FAULT=rm:before-bridge-delete "$BERTH" network rm detrmkill
    await_detaches
    _retired_bridge_in_flight "$retired" "$id"
    assert_ok berth_host gc --dry-run
    assert_contains "$OUT" "deleted bridge $retired of a removed network"
    link_in_host "$retired" >/dev/null || fail "gc --dry-run deleted something"
    assert_ok berth_host gc
    assert_contains "$OUT" "deleted bridge $retired of a removed network"
    if link_in_host "$retired" >/dev/null; then fail "gc left the retired bridge"; fi
    assert_ok berth_host gc --dry-run
    assert_eq "nothing to repair" "$OUT" "gc converged"
}
