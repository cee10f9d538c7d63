# shellcheck shell=bash
# Bad input: a one-line "Error: ..." on stderr, a non-zero exit, and nothing changed
# (no link, no address, no route, no rule, no network, no endpoint/lease, nothing in the container).

# bad CONTAINERS -- BERTH_ARGS...: assert a berth error and an unchanged sandbox.
# CONTAINERS is a space-separated list (may be empty) whose state is also compared.
bad() {
    local conts=$1; shift
    [[ "$1" == "--" ]] && shift
    local before
    # shellcheck disable=SC2086
    before=$(snapshot $conts)
    assert_berth_error berth_host "$@"
    # shellcheck disable=SC2086
    assert_unchanged "$before" $conts
}

test_err_invalid_cidr_or_ip() {
    local c
    bad "" -- network create x --subnet 10.0.0.0/33
    bad "" -- network create x --subnet 300.1.1.0/24
    bad "" -- network create x --subnet foo
    bad "" -- network create x --subnet 10.0.0.0/
    bad "" -- network create x --subnet 10.0.0/24
    bad "" -- network create x --subnet 10.123.0.0/24 --gateway 10.123.0
    bad "" -- network create x --subnet 10.123.0.0/24 --gateway 10.123.0.256
    bad "" -- network create x --subnet 10.123.0.0/24 --ip-range bogus
    bad "" -- network create x --subnet 10.123.0.0/24 --mtu 60          # below the IPv4 minimum of 68
    bad "" -- network create x --subnet 10.123.0.0/24 --mtu abc
    bad "" -- network create x --subnet 10.123.0.0/24 --mtu 70000
    bad "" -- network create x --subnet 10.123.0.0/24 --bridge abcdefghijklmnop
    create_net ok --subnet 10.123.1.0/24
    new_netns_container c
    bad "$c" -- network connect ok "$c" --ip 10.123.1.999
    bad "$c" -- network connect ok "$c" --ip 10.123.1
    bad "$c" -- network connect ok "$c" --ip nonsense
    bad "$c" -- network connect ok "$c" --mac zz:zz:zz:zz:zz:zz
    bad "$c" -- network connect ok "$c" --mac 02:42:0a
}

test_err_duplicate_or_overlapping_network() {
    create_net a --subnet 10.123.0.0/24
    bad "" -- network create a --subnet 10.123.99.0/24          # same name
    bad "" -- network create b --subnet 10.123.0.0/24           # same subnet
    bad "" -- network create b --subnet 10.123.0.128/25         # inside
    bad "" -- network create b --subnet 10.0.0.0/8              # around
    bad "" -- network create b --subnet 10.123.1.0/24 --bridge "$NET_BRIDGE"   # bridge of another network
    bad "" -- network create b --subnet 10.123.1.0/24 --bridge "$UPLINK_IF"    # existing non-bridge link
}

test_err_gateway_or_range_outside_subnet() {
    bad "" -- network create x --subnet 10.123.2.0/24 --gateway 10.123.3.1
    bad "" -- network create x --subnet 10.123.2.0/24 --gateway 10.123.2.0       # network address
    bad "" -- network create x --subnet 10.123.2.0/24 --gateway 10.123.2.255     # broadcast address
    bad "" -- network create x --subnet 10.123.2.0/24 --ip-range 10.123.3.0/25
    bad "" -- network create x --subnet 10.123.2.0/24 --ip-range 10.123.0.0/16
}

test_err_static_ip_outside_subnet() {
    local c
    create_net s --subnet 10.123.4.0/24
    new_pid_container c
    bad "$c" -- network connect s "$c" --ip 10.123.5.10
    bad "$c" -- network connect s "$c" --ip 203.0.113.9
}

test_err_static_ip_taken() {
    local a b
    create_net s --subnet 10.123.6.0/24
    new_netns_container a
    new_pid_container b
    connect s "$a" --ip 10.123.6.10
    bad "$a $b" -- network connect s "$b" --ip 10.123.6.10          # taken by a
    bad "$a $b" -- network connect s "$b" --ip "$NET_GW"            # the gateway
    bad "$a $b" -- network connect s "$b" --ip 10.123.6.0           # network address
    bad "$a $b" -- network connect s "$b" --ip 10.123.6.255         # broadcast address
    ping_ok host 10.123.6.10                                        # a is unharmed
}

test_err_pool_exhausted() {
    local a b c
    # a /30 has exactly one address left after the gateway
    create_net tiny --subnet 10.123.8.0/30
    new_netns_container a
    new_pid_container b
    connect tiny "$a"
    bad "$a $b" -- network connect tiny "$b"
    ping_ok "$a" "$NET_GW"
    # after a disconnect the single address is available again
    assert_ok berth_host network disconnect tiny "$a"
    connect tiny "$b"
    # subnet pool exhausted: a pool with room for exactly one /24
    BERTH_POOLS=10.124.0.0/24:24 create_net onlyone
    BERTH_POOLS=10.124.0.0/24:24 bad "" -- network create second
}

test_err_nonexistent_pid() {
    local p
    create_net n
    p=$(free_pid)
    bad "" -- network connect n "$p"
}

test_err_target_not_a_netns() {
    local c
    create_net n
    new_pid_container c
    printf 'not a namespace\n' >"$BT_TMP/regular-file"
    bad "" -- network connect n "$BT_TMP/regular-file"
    bad "" -- network connect n "$BT_TMP"                       # a directory
    bad "" -- network connect n /dev/null
    bad "" -- network connect n "$BT_TMP/does-not-exist"
    bad "$c" -- network connect n "/proc/$c/ns/uts"             # an nsfs file, but not a net ns
    bad "$c" -- network connect n "/proc/$c/ns/mnt"
    bad "" -- network connect n bt-no-such-netns-name           # not under /run/netns
}

_in_host_netns() { [[ "$(in_host readlink /proc/self/ns/net)" == "$(readlink "/proc/$1/ns/net")" ]]; }

test_err_target_is_host_namespace() {
    local hostpid
    create_net n
    bad "" -- network connect n /proc/self/ns/net               # berth's own netns
    bad "" -- network connect n "$BT_HOST"                      # the host netns by name
    bad "" -- network connect n "/run/netns/$BT_HOST"           # ... and by path
    # a process living in the host netns (not a container), by PID
    ip netns exec "$BT_HOST" sleep 300 </dev/null >/dev/null 2>&1 &
    hostpid=$!
    _bt_record pids "$hostpid"
    wait_until 20 "the process entered the host netns" _in_host_netns "$hostpid"
    assert_eq "$(in_host readlink /proc/self/ns/net)" "$(readlink "/proc/$hostpid/ns/net")" "test setup: pid in host netns"
    bad "" -- network connect n "$hostpid"
    # berth's own PID
    local before
    before=$(snapshot)
    assert_berth_error in_host sh -c 'exec env BERTH_STATE_DIR="$1" "$2" network connect n $$' sh "$BT_STATE" "$BERTH"
    assert_unchanged "$before"
}

test_err_ifname_too_long_or_invalid() {
    local c
    create_net n
    new_netns_container c
    bad "$c" -- network connect n "$c" --ifname abcdefghijklmnop          # 16 bytes
    bad "$c" -- network connect n "$c" --ifname eth0eth0eth0eth0eth0
    bad "$c" -- network connect n "$c" --ifname "eth/0"
    bad "$c" -- network connect n "$c" --ifname "eth 0"
    bad "$c" -- network connect n "$c" --ifname ""
}

test_err_ifname_already_in_container() {
    local c
    create_net n --subnet 10.123.12.0/24
    create_net m --subnet 10.123.13.0/24
    new_netns_container c
    bad "$c" -- network connect n "$c" --ifname lo
    in_ns "$c" ip link add eth1 type veth peer name eth2
    bad "$c" -- network connect n "$c" --ifname eth1                     # pre-existing link
    connect n "$c"
    bad "$c" -- network connect n "$c"                                  # eth0 again, same network
    bad "$c" -- network connect m "$c"                                  # eth0 again, other network
    ping_ok "$c" "$(net_field n gateway)"                               # the first eth0 still works
}

test_err_unknown_network() {
    local c
    create_net real
    new_netns_container c
    bad "$c" -- network connect bt-nosuch "$c"
    bad "$c" -- network disconnect bt-nosuch "$c"
    bad "" -- network rm bt-nosuch
    bad "" -- network inspect bt-nosuch
    bad "" -- network inspect real bt-nosuch
    # The arguments reach berth intact (spaces, an empty one), through the fast path and through
    # swift-argument-parser alike: the error names the network as given. (Names in errors are
    # shown in printable ASCII, non-ASCII as "?".)
    bad "$c" -- network connect "bt  no*such" "$c"
    [[ "$ERR" == *"'bt  no*such'"* ]] || fail "connect: network name mangled: $ERR"
    bad "" -- network inspect "bt  nö*such" ""
    [[ "$ERR" == *"'bt  n?*such'"* ]] || fail "inspect: network name mangled: $ERR"
    bad "" -- network inspect "" "bt  nö*such"
    [[ "$ERR" == *"network ''"* ]] || fail "inspect: empty argument lost: $ERR"
}

test_err_rm_network_in_use() {
    local c
    create_net inuse
    new_pid_container c
    connect inuse "$c"
    bad "$c" -- network rm inuse
    ping_ok "$c" "$NET_GW"
}

test_err_without_cap_net_admin() {
    local c before
    create_net n
    new_netns_container c
    local nocap=(setpriv --inh-caps=-net_admin --bounding-set=-net_admin --)
    assert_ok in_host "${nocap[@]}" grep CapEff /proc/self/status
    local eff=$(( 16#${OUT##*[[:space:]]} ))
    (( (eff >> 12) & 1 )) && fail "test setup: CAP_NET_ADMIN still effective ($OUT)"
    for args in "network create x --subnet 10.123.60.0/24" "network connect n $c" "run --network n -- true"; do
        before=$(snapshot "$c")
        # shellcheck disable=SC2086
        assert_berth_error in_host "${nocap[@]}" env BERTH_STATE_DIR="$BT_STATE" "$BERTH" $args
        assert_unchanged "$before" "$c"
    done
    # a connected endpoint cannot be removed without the capability either
    connect n "$c"
    before=$(snapshot "$c")
    assert_berth_error in_host "${nocap[@]}" env BERTH_STATE_DIR="$BT_STATE" "$BERTH" network disconnect n "$c"
    assert_unchanged "$before" "$c"
}

test_err_not_root() {
    local c before
    create_net n
    new_netns_container c
    chmod 0755 "$BT_TMP"
    local nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all --)
    for args in "network create x --subnet 10.123.61.0/24" "network connect n $c" "run --network n -- true"; do
        before=$(snapshot "$c")
        # shellcheck disable=SC2086
        assert_berth_error in_host "${nobody[@]}" env BERTH_STATE_DIR="$BT_STATE" "$BERTH" $args
        assert_unchanged "$before" "$c"
    done
}

test_err_disconnect_not_connected() {
    local c before
    create_net n
    new_netns_container c
    before=$(snapshot "$c")
    run_capture berth_host network disconnect n "$c"
    [[ "$RC" -lt 128 ]] || fail "berth crashed (exit $RC): $ERR"
    if [[ "$RC" -ne 0 ]]; then
        assert_match "$ERR" '^Error: ' "error message"
    fi
    assert_unchanged "$before" "$c"
}

# usage errors come from the argument parser, which may add usage lines after the "Error: " line
bad_usage() {
    local before
    before=$(snapshot)
    run_capture berth_host "$@"
    if [[ $RC -eq 0 || $RC -ge 128 ]]; then _show_result berth "$@"; fail "expected a usage error: $*"; fi
    [[ "$ERR" == "Error: "* ]] || { _show_result berth "$@"; fail "usage error must start with 'Error: '"; }
    assert_unchanged "$before"
}

test_err_usage() {
    bad_usage network create
    bad_usage network connect onlyone
    bad_usage network bogus-subcommand
    bad_usage network ls --format yaml
    bad_usage network create x --label novalue
}

# bad_says TEXT CONTAINERS -- ARGS...: bad, and the one error line contains TEXT.
bad_says() {
    local text=$1; shift
    bad "$@"
    assert_contains "$ERR" "$text" "the error names the problem"
}

test_err_special_purpose_subnets() {
    bad_says "loopback (127.0.0.0/8)" "" -- network create x --subnet 127.5.0.0/24
    bad_says "'this network' (0.0.0.0/8)" "" -- network create x --subnet 0.1.0.0/24
    bad_says "multicast (224.0.0.0/4)" "" -- network create x --subnet 224.1.0.0/24
    bad_says "reserved (240.0.0.0/4)" "" -- network create x --subnet 240.0.0.0/24
    bad_says "'this network'" "" -- network create x --subnet 0.0.0.0/1
    BERTH_POOLS=127.0.0.0/16:24 bad_says "loopback" "" -- network create x
    BERTH_POOLS=10.124.0.0/16:24,239.0.0.0/16:24 bad_says "multicast" "" -- network create x
}

test_err_gateway_already_on_host_interface() {
    # The sandbox's uplink holds 203.0.113.2.
    bad_says "$UPLINK_IF" "" -- network create x --subnet 203.0.113.0/24 --gateway "$UPLINK_HOST_IP"
}

test_err_ip_range_without_usable_address() {
    bad_says "no address to hand out" "" -- network create x --subnet 10.123.9.0/24 --ip-range 10.123.9.0/31
    bad_says "no address to hand out" "" -- network create x --subnet 10.123.9.0/24 --ip-range 10.123.9.255/32
    bad_says "no address to hand out" "" -- network create x --subnet 10.123.9.0/24 --gateway 10.123.9.7 --ip-range 10.123.9.7/32
    create_net y --subnet 10.123.9.0/24 --ip-range 10.123.9.2/32   # one address: fine
}

test_err_static_mac_taken_or_the_bridges() {
    local a b bridge_mac
    create_net m --subnet 10.123.10.0/24
    new_netns_container a
    new_pid_container b
    connect m "$a" --mac 02:00:00:00:00:aa --name first
    bad_says "already used on network 'm' by container 'first'" "$a $b" -- network connect m "$b" --mac 02:00:00:00:00:aa
    bridge_mac=$(ip -n "$BT_HOST" -j link show dev "$NET_BRIDGE" | jq -r '.[0].address')
    bad_says "bridge's own address" "$a $b" -- network connect m "$b" --mac "$bridge_mac"
    connect m "$b" --mac 02:00:00:00:00:bb
}

test_err_reserved_interface_names() {
    local c
    create_net r --subnet 10.123.11.0/24
    new_netns_container c
    bad_says "reserved by the kernel" "$c" -- network connect r "$c" --ifname all
    bad_says "reserved by the kernel" "$c" -- network connect r "$c" --ifname default
    bad_says "reserved by the kernel" "" -- network create x --subnet 10.123.12.0/24 --bridge default
}

test_err_published_host_ip_not_local() {
    local c
    create_net p --subnet 10.123.13.0/24
    new_netns_container c
    bad_says "192.0.2.55 is not an address of this host" "$c" -- network connect p "$c" -p 192.0.2.55:8080:80
    connect p "$c" -p "$UPLINK_HOST_IP:8080:80"
}

test_err_port_twice_in_one_request() {
    local c
    create_net d --subnet 10.123.14.0/24
    new_netns_container c
    bad_says "published twice in this request" "$c" -- network connect d "$c" -p 8080:80 -p 8080:81
    bad_says "published twice in this request" "$c" -- network connect d "$c" -p 8080-8081:80-81 -p 8081:90
    bad_says "published twice in this request" "$c" -- network connect d "$c" -p "$UPLINK_HOST_IP:8080:80" -p 8080:81
    # other protocols and other host ports do not clash
    connect d "$c" -p 8080:80 -p 8080:80/udp -p 8082:81
}
