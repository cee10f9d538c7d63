# shellcheck shell=bash
# berth run: CMD in a new netns (+ mount ns) attached to the network; CMD's exit status; detached after.

test_run_exit_status_passthrough() {
    create_net rn
    run_capture berth_host run --network rn -- sh -c 'exit 7'
    assert_eq 7 "$RC" "exit status of CMD (stderr: $ERR)"
    run_capture berth_host run --network rn -- true
    assert_eq 0 "$RC" "true (stderr: $ERR)"
    run_capture berth_host run --network rn -- false
    assert_eq 1 "$RC" "false (stderr: $ERR)"
    assert_clean
}

test_run_has_eth0_address_and_route() {
    create_net rn --subnet 10.123.50.0/24
    assert_ok berth_host run --network rn -- sh -c 'ip -o -4 addr show dev eth0; echo "route: $(ip -4 route show default)"; readlink /proc/self/ns/net'
    local addr
    addr=$(awk '/ eth0 / && /inet / {print $4; exit}' <<<"$OUT")
    [[ -n "$addr" ]] || fail "no IPv4 address on eth0 inside berth run: $OUT"
    in_subnet "$addr" 10.123.50.0/24 || fail "address $addr not in the network"
    assert_contains "$OUT" "route: default via $NET_GW" "default route inside berth run"
    local inner_ns host_ns
    inner_ns=$(tail -n1 <<<"$OUT")
    host_ns=$(in_host readlink /proc/self/ns/net)
    assert_ne "$host_ns" "$inner_ns" "CMD runs in its own netns"
    assert_clean
}

test_run_traffic() {
    local c
    create_net rn
    new_netns_container c
    connect rn "$c"
    local cip=$EP_IP
    assert_ok berth_host run --network rn -- ping -n -c1 -W1 "$NET_GW"
    assert_ok berth_host run --network rn -- ping -n -c1 -W1 "$cip"
    start_upstream_listener 8090
    assert_ok berth_host run --network rn -- python3 -c '
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=2)
print(s.recv(100).decode().strip())
' "$UPSTREAM_IP" 8090
    assert_eq "$UPLINK_HOST_IP" "$OUT" "berth run traffic is masqueraded"
    assert_eq 1 "$(berth_host endpoints --format json | jq length)" "only the connected container remains"
}

test_run_disconnects_after() {
    create_net rn
    # while CMD runs, the endpoint exists; afterwards it is gone
    assert_ok berth_host run --network rn --name runner -- sh -c "env BERTH_STATE_DIR='$BT_STATE' '$BERTH' endpoints --format json"
    local during=$OUT
    assert_eq 1 "$(jq length <<<"$during")" "one endpoint while CMD runs: $during"
    assert_eq runner "$(jq -r '.[0].name' <<<"$during")" "--name of the run endpoint"
    assert_clean
    # also when CMD fails
    run_capture berth_host run --network rn -- sh -c 'exit 3'
    assert_eq 3 "$RC" "exit status"
    assert_clean
}

test_run_static_ip() {
    create_net rn --subnet 10.123.51.0/24
    assert_ok berth_host run --network rn --ip 10.123.51.99 -- ip -o -4 addr show dev eth0
    assert_contains "$OUT" "10.123.51.99/24" "--ip honoured by berth run"
    assert_clean
}

test_run_default_network() {
    assert_ok berth_host run -- ip -o -4 addr show dev eth0
    assert_contains "$OUT" "inet " "eth0 has an address on the default network"
    assert_ok berth_host network inspect bridge
    assert_eq berth0 "$(jq -r '.[0].bridge' <<<"$OUT")" "default network's bridge device"
    local subnet
    subnet=$(jq -r '.[0].subnet' <<<"$OUT")
    assert_ok ip -n "$BT_HOST" -o -4 addr show dev berth0
    assert_contains "$OUT" "inet " "berth0 has the gateway address"
    # the default network is created once and reused
    assert_ok berth_host run -- true
    assert_ok berth_host network ls --format json
    assert_eq 1 "$(jq '[.[] | select(.name == "bridge")] | length' <<<"$OUT")" "one default network"
    assert_eq "$subnet" "$(net_field bridge subnet)" "same subnet on reuse"
    assert_clean
}

test_run_command_not_found() {
    create_net rn
    run_capture berth_host run --network rn -- /nonexistent/bt-no-such-command
    [[ "$RC" -ne 0 ]] || fail "running a missing command must fail"
    assert_clean
}

test_run_signal_exit_status() {
    create_net rn
    run_capture berth_host run --network rn -- sh -c 'kill -TERM $$'
    assert_eq 143 "$RC" "exit status of a CMD killed by SIGTERM (128+15), stderr: $ERR"
    assert_clean
}

test_run_unknown_network() {
    local before
    create_net rn
    before=$(snapshot)
    assert_berth_error berth_host run --network bt-nosuch -- true
    assert_unchanged "$before"
}
