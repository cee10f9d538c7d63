# shell: bash
# Reliability: concurrency at scale, crashes at every step, gc, self-heal, teardown under signals.

# fault_run POINT CMD...: run berth with BERTH_FAULT=POINT; it must die by SIGKILL there.
fault_run() {
    local point=$1; shift
    run_capture ip netns exec "$BT_HOST" env BERTH_STATE_DIR="$BT_STATE" BERTH_FAULT="$point" "$BERTH" "$@"
    assert_eq 137 "$RC" "berth should have been killed at $point (stderr: $ERR)"
}

# assert_repaired: after gc, no half-done endpoint, every veth owned, every endpoint's veth exists.
assert_consistent() {
    local states owned veths
    states=$(berth_host endpoints --format json | jq -r '.[].state' | sort -u)
    [[ -z "$states" || "$states" == active ]] || fail "endpoints not active after gc: $states"
    owned=$(berth_host endpoints --format json | jq -r '.[].hostIfname' | sort)
    veths=$(host_veths | sort)
    assert_eq "$owned" "$veths" "host veths must be exactly those of recorded endpoints"
}

test_crash_at_every_connect_step() {
    local c point
    create_net crash
    new_netns_container c
    for point in connect:after-reserve connect:after-veth connect:after-address connect:before-active; do
        fault_run "$point" network connect crash "$c"
        assert_ok berth_host gc
        assert_contains "$OUT" "rolled back interrupted connect" "gc after $point"
        assert_clean
        assert_container_clean "$c"
        connect crash "$c"
        ping_ok "$c" "$NET_GW"
        assert_ok berth_host network disconnect crash "$c"
        assert_clean
    done
}

test_crash_at_every_disconnect_step() {
    local c point
    create_net crash
    new_netns_container c
    # A single disconnect retires the veth before it releases the record; the bulk paths
    # (--all, rm --force, gc) mark the endpoints removing first.
    for point in disconnect:after-retire disconnect:after-mark disconnect:after-veth; do
        connect crash "$c"
        if [[ $point == disconnect:after-retire ]]; then
            fault_run "$point" network disconnect crash "$c"
        else
            fault_run "$point" network disconnect crash --all
        fi
        assert_ok berth_host gc
        assert_contains "$OUT" "finished interrupted disconnect" "gc after $point"
        assert_clean
        assert_container_clean "$c"
    done
    connect crash "$c"
    ping_ok "$c" "$NET_GW"
}

test_crash_during_network_create() {
    local point c
    new_netns_container c
    for point in create:after-bridge create:after-firewall; do
        fault_run "$point" network create crashy --subnet 10.123.40.0/24
        assert_ok berth_host gc
        assert_contains "$OUT" "deleted bridge" "gc after $point"
        assert_eq "" "$(ip -n "$BT_HOST" -br link show type bridge)" "no bridge left after $point + gc"
        assert_not_contains "$(nft_berth)" "10.123.40.0/24" "no rule left after $point + gc"
        assert_eq "[]" "$(berth_host network ls --format json | jq -c .)" "no network recorded"
    done
    create_net crashy --subnet 10.123.40.0/24
    connect crashy "$c"
    ping_ok "$c" "$NET_GW"
}

test_crash_during_network_rm() {
    local c
    # Killed after the endpoints went: the network is still there, consistent, and rm repeats.
    create_net doomed --subnet 10.123.41.0/24
    new_netns_container c
    connect doomed "$c"
    fault_run rm:after-endpoints network rm --force doomed
    assert_ok berth_host gc
    assert_consistent
    assert_ok berth_host network ls
    assert_ok berth_host network rm --force doomed
    assert_clean "$NET_BRIDGE:10.123.41.0/24"
    # Killed after the record went: only orphans are left, and gc removes them.
    create_net doomed --subnet 10.123.41.0/24
    new_netns_container c
    connect doomed "$c"
    fault_run rm:after-record network rm --force doomed
    assert_ok berth_host gc
    assert_contains "$OUT" "deleted bridge $NET_BRIDGE"
    assert_clean "$NET_BRIDGE:10.123.41.0/24"
    assert_container_clean "$c"
}

test_gc_releases_leases_of_vanished_containers() {
    local a b
    create_net gone
    new_netns_container a
    new_pid_container b
    connect gone "$a"
    connect gone "$b"
    ip netns del "$a"
    kill_container "$b"
    sleep 0.2
    assert_ok berth_host gc --dry-run
    assert_contains "$OUT" "would: released"
    assert_eq 2 "$(berth_host endpoints --format json | jq length)" "dry run changes nothing"
    assert_ok berth_host gc
    assert_eq 2 "$(grep -c released <<<"$OUT")" "two leases released: $OUT"
    assert_clean
    assert_ok berth_host gc
    assert_eq "nothing to repair" "$OUT"
}

test_gc_deletes_stray_veths_and_recreates_bridges() {
    local c o orphan
    create_net strays
    new_netns_container o
    connect strays "$o"
    orphan=$EP_HOSTIF
    # the store forgets it (as after a lost state directory): its veth becomes an orphan
    sqlite3 "$BT_STATE/berth.db" "DELETE FROM endpoints WHERE host_ifname = '$orphan'"
    new_netns_container c
    connect strays "$c"
    # a user's look-alike: a bv name, but not in a Berth device group
    in_host ip link add bvusers0001 type veth peer name bt-peer-y
    in_host ip link del "$NET_BRIDGE"
    run_capture berth_host doctor
    assert_eq 1 "$RC" "doctor exits 1 when it finds problems"
    assert_contains "$OUT" "bridge $NET_BRIDGE of network 'strays' is missing"
    assert_ok berth_host gc
    assert_contains "$OUT" "deleted stray veth $orphan"
    assert_not_contains "$OUT" "bvusers0001"
    in_host ip link del bvusers0001
    assert_contains "$OUT" "recreated missing bridge $NET_BRIDGE"
    assert_consistent
    # the surviving veth is back on the recreated bridge: traffic flows again
    ping_ok "$c" "$NET_GW"
    ping_ok host "$EP_IP"
    assert_ok berth_host doctor
}

test_flushed_ruleset_is_restored_by_next_connect() {
    local a b
    create_net heal
    new_netns_container a
    new_netns_container b
    connect heal "$a"
    in_host nft flush ruleset
    run_capture berth_host doctor
    assert_contains "$OUT" "table inet berth is missing"
    connect heal "$b"
    assert_contains "$(nft_berth)" "$NET_SUBNET" "connect restored Berth's table"
    # NAT works again: the upstream sees the host's uplink address.
    ping_ok "$a" "$UPSTREAM_IP"
    in_host nft flush ruleset
    assert_ok berth_host firewall reload
    assert_contains "$(nft_berth)" "$NET_SUBNET" "firewall reload restored the table"
    ping_ok "$b" "$UPSTREAM_IP"
}

_endpoint_state_is() { [[ "$(berth_host endpoints --format json | jq -r '.[0].state')" == "$1" ]]; }
_lacks_interface() { ! in_ns "$1" ip link show dev "$2" >/dev/null 2>&1; }

# _sigterm_during_teardown POINT WHAT [--all]: a disconnect (of one container, or --all) paused at
# POINT (signals held by then) gets SIGTERM and SIGINT once it is observably there; the signals
# are acted on only once the teardown is complete.
_sigterm_during_teardown() {
    local point=$1 what=$2 c pid; shift 2
    create_net sig
    new_netns_container c
    connect sig "$c"
    local -a target=("$c")
    [[ "${1:-}" == --all ]] && target=(--all)
    ip netns exec "$BT_HOST" env BERTH_STATE_DIR="$BT_STATE" BERTH_FAULT="$point@pause" \
        "$BERTH" network disconnect sig "${target[@]}" >"$BT_TMP/sig.out" 2>&1 &
    pid=$!
    _bt_record pids "$pid"
    if [[ "${1:-}" == --all ]]; then
        wait_until 20 "$what" _endpoint_state_is removing
    else
        wait_until 20 "$what" _lacks_interface "$c" eth0
    fi
    kill -TERM "$pid" 2>/dev/null
    kill -INT "$pid" 2>/dev/null
    wait "$pid"
    assert_clean
    assert_container_clean "$c"
}

# One container: the veth is retired (eth0 renamed away) before the records go.
test_teardown_survives_sigterm() {
    _sigterm_during_teardown disconnect:after-retire "the disconnect retired the veth"
}

# Bulk teardown: the endpoints are marked removing before the veths go.
test_bulk_teardown_survives_sigterm() {
    _sigterm_during_teardown disconnect:after-mark "the disconnect marked its endpoint removing" --all
}

test_200_connects_8_at_a_time_across_2_networks() {
    local i n=200 c net conts=() nets=()
    create_net bulk-a --subnet 10.123.50.0/24
    create_net bulk-b --subnet 10.123.51.0/24
    for ((i = 0; i < n; i++)); do
        new_netns_container c
        conts+=("$c")
        if ((i % 2)); then nets+=(bulk-b); else nets+=(bulk-a); fi
    done
    for ((i = 0; i < n; i++)); do echo "${nets[$i]} ${conts[$i]}"; done >"$BT_TMP/pairs"
    xargs -P 8 -L 1 sh -c 'ip netns exec "$0" env BERTH_STATE_DIR="$1" "$2" network connect "$3" "$4" >/dev/null || echo "connect $3 $4 failed" >&2' \
        "$BT_HOST" "$BT_STATE" "$BERTH" <"$BT_TMP/pairs" 2>"$BT_TMP/bulk.err"
    [[ ! -s "$BT_TMP/bulk.err" ]] || fail "$(head -5 "$BT_TMP/bulk.err")"
    # Every container's address as the kernel has it: no duplicates within a network.
    for ((i = 0; i < n; i++)); do
        echo "${nets[$i]} $(container_ipv4 "${conts[$i]}")"
    done >"$BT_TMP/addrs"
    assert_eq "$n" "$(grep -c / "$BT_TMP/addrs")" "every container got an address"
    assert_eq "$n" "$(sort -u "$BT_TMP/addrs" | wc -l)" "no duplicate address"
    assert_eq "$n" "$(berth_host endpoints --format json | jq length)" "endpoints recorded"
    assert_eq "$n" "$(host_veths | wc -l)" "host veths"
    ping_ok "${conts[0]}" "$(cut -d' ' -f2 "$BT_TMP/addrs" | sed -n 3p | cut -d/ -f1)"
    xargs -P 8 -L 1 sh -c 'ip netns exec "$0" env BERTH_STATE_DIR="$1" "$2" network disconnect "$3" "$4" || echo "disconnect $3 $4 failed" >&2' \
        "$BT_HOST" "$BT_STATE" "$BERTH" <"$BT_TMP/pairs" 2>"$BT_TMP/bulk.err"
    [[ ! -s "$BT_TMP/bulk.err" ]] || fail "$(head -5 "$BT_TMP/bulk.err")"
    assert_clean
    assert_ok berth_host gc
    assert_eq "nothing to repair" "$OUT"
}

test_bulk_teardown_in_one_request() {
    local i c conts=()
    create_net bulk --subnet 10.123.52.0/24
    for ((i = 0; i < 30; i++)); do new_netns_container c; conts+=("$c"); connect bulk "$c"; done
    # every host veth carries the network's device group, so one request removes them all
    local groups
    groups=$(ip -n "$BT_HOST" -d -o link show type veth | grep ': bv' | grep -o ' group [^ ]*' | sort | uniq -c)
    assert_eq 1 "$(wc -l <<<"$groups")" "all veths of the network share one device group: $groups"
    assert_match "$groups" "^ *30 +group -?[0-9]+$" "30 veths in a non-default group"
    assert_ok berth_host network disconnect bulk --all
    assert_eq "30 endpoint(s) disconnected" "$OUT"
    assert_clean
    for c in "${conts[@]}"; do assert_container_clean "$c"; done
    for c in "${conts[@]}"; do connect bulk "$c"; done
    assert_ok berth_host network rm --force bulk
    assert_clean "$NET_BRIDGE:10.123.52.0/24"
    assert_berth_error berth_host network disconnect bulk --all
}
