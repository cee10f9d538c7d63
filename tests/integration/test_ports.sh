# shellcheck shell=bash
# Published ports: DNAT from outside (TCP and UDP), from the host itself (own address, gateway,
# 127.0.0.1), hairpin, HOST_IP, ranges, duplicates refused, exact removal; map elements checked
# in the kernel with nft after each step.

# _published_container NET KIND [CONNECT ARGS...]: a container on NET with a TCP listener on :80
# ("web") and a UDP one on :53 ("dns"); sets C and C_IP.
_published_container() {
    local net=$1 kind=$2; shift 2
    new_container "$kind" C
    connect "$net" "$C" "$@"
    C_IP=$EP_IP
    start_payload_listener "$C" 0.0.0.0 80 web tcp
    start_payload_listener "$C" 0.0.0.0 53 dns udp
}

test_publish_from_outside_tcp_udp() {
    create_net web
    _published_container web netns -p 8080:80 --publish 5353:53/udp
    assert_eq '[{"hostIP":"0.0.0.0","hostPort":8080,"containerPort":80,"count":1,"protocol":"tcp"},{"hostIP":"0.0.0.0","hostPort":5353,"containerPort":53,"count":1,"protocol":"udp"}]' \
        "$(jq -c .ports <<<"$EP")" "connect prints the published ports"
    assert_eq "$(jq -c .ports <<<"$EP")" "$(berth_host endpoints --format json | jq -c '.[0].ports')" \
        "endpoints lists the same ports"
    assert_port_answers up "$UPLINK_HOST_IP" 8080 tcp web
    assert_eq "web $UPSTREAM_IP" "$OUT" "the container sees the real client address"
    assert_port_answers up "$UPLINK_HOST_IP" 5353 udp dns
    assert_eq "dns $UPSTREAM_IP" "$OUT" "UDP reply"
    local elements
    elements=$(nft_map ports-any | sort)
    assert_eq "tcp . 8080 : $C_IP . 80
udp . 5353 : $C_IP . 53" "$elements" "ports-any elements"
    assert_eq "" "$(nft_map ports)" "no address-bound elements"
}

test_publish_pid_container() {
    create_net web
    _published_container web pid -p 8080:80
    assert_port_answers up "$UPLINK_HOST_IP" 8080 tcp web
}

test_publish_from_host_itself() {
    create_net web
    _published_container web netns -p 8080:80 -p 5353:53/udp
    assert_port_answers host "$UPLINK_HOST_IP" 8080 tcp web
    assert_port_answers host "$NET_GW" 8080 tcp web
    assert_port_answers host 127.0.0.1 8080 tcp web
    assert_eq "web $NET_GW" "$OUT" "127.0.0.1 is masqueraded to the gateway"
    assert_port_answers host 127.0.0.1 5353 udp dns
}

test_publish_hairpin() {
    local a
    create_net web
    _published_container web netns -p 8080:80
    new_netns_container a
    connect web "$a"
    # a sibling reaches the published port through the host's address ...
    assert_port_answers "$a" "$UPLINK_HOST_IP" 8080 tcp web
    assert_eq "web $NET_GW" "$OUT" "hairpin traffic is masqueraded"
    # ... and so does the publishing container itself
    assert_port_answers "$C" "$UPLINK_HOST_IP" 8080 tcp web
    assert_port_answers "$C" "$NET_GW" 8080 tcp web
}

test_publish_host_ip_restricts() {
    in_host ip addr add 203.0.113.3/24 dev "$UPLINK_IF"
    create_net web
    _published_container web netns -p "$UPLINK_HOST_IP:8080:80" -p 203.0.113.3:9090:80
    assert_port_answers up "$UPLINK_HOST_IP" 8080 tcp web
    assert_port_silent up 203.0.113.3 8080 tcp
    assert_port_answers up 203.0.113.3 9090 tcp web
    assert_port_silent up "$UPLINK_HOST_IP" 9090 tcp
    assert_port_silent host 127.0.0.1 8080 tcp
    assert_eq "203.0.113.2 . tcp . 8080 : $C_IP . 80
203.0.113.3 . tcp . 9090 : $C_IP . 80" "$(nft_map ports | sort)" "address-bound elements"
    assert_eq "" "$(nft_map ports-any)" "no any-address elements"
    # the same port on another address is not a clash
    local b
    new_netns_container b
    connect web "$b" -p 203.0.113.3:8080:80
}

test_publish_range() {
    local p
    create_net web
    new_netns_container C
    connect web "$C" -p 9000-9002:7000-7002 -p 9100-9101:7100-7101/udp
    for p in 7000 7001 7002; do start_payload_listener "$C" 0.0.0.0 "$p" "r$p" tcp; done
    for p in 7100 7101; do start_payload_listener "$C" 0.0.0.0 "$p" "u$p" udp; done
    assert_port_answers up "$UPLINK_HOST_IP" 9000 tcp r7000
    assert_port_answers up "$UPLINK_HOST_IP" 9001 tcp r7001
    assert_port_answers up "$UPLINK_HOST_IP" 9002 tcp r7002
    assert_port_answers up "$UPLINK_HOST_IP" 9101 udp u7101
    assert_eq 5 "$(nft_map ports-any | wc -l)" "one element per port"
    assert_ok berth_host ports --format json
    assert_eq '[9000,3,"tcp"],[9100,2,"udp"]' "$(jq -c '.[] | [.hostPort, .count, .protocol]' <<<"$OUT" | paste -sd,)" "ports folds ranges"
    assert_ok berth_host ports
    assert_contains "$OUT" "0.0.0.0:9000-9002"
    assert_contains "$OUT" ":7000-7002"
    assert_eq '9000-9002:7000-7002/tcp' "$(net_json web | jq -r '.endpoints[0].ports[0] | "\(.hostPort)-\(.hostPort + .count - 1):\(.containerPort)-\(.containerPort + .count - 1)/\(.protocol)"')" "inspect shows the range"
}

test_publish_duplicate_refused() {
    local b before
    create_net web
    _published_container web netns -p 8080:80 --name first
    new_netns_container b
    before=$(snapshot "$b")
    assert_berth_error berth_host network connect web "$b" -p 8080:80
    assert_contains "$ERR" "'first'" "the error names the owner"
    assert_contains "$ERR" "8080/tcp"
    assert_unchanged "$before" "$b"
    # a specific address overlaps the any-address publication
    assert_berth_error berth_host network connect web "$b" -p "$UPLINK_HOST_IP:8080:80"
    assert_contains "$ERR" "'first'"
    # a range overlapping it, and a duplicate inside one request
    assert_berth_error berth_host network connect web "$b" -p 8079-8081:80-82
    assert_berth_error berth_host network connect web "$b" -p 8500:80 -p 8500:81
    assert_unchanged "$before" "$b"
    # another protocol is a different port
    connect web "$b" -p 8080:80/udp
    # the first publication still works
    assert_port_answers up "$UPLINK_HOST_IP" 8080 tcp web
}

test_publish_any_after_specific_refused() {
    local b
    create_net web
    _published_container web netns -p "$UPLINK_HOST_IP:8080:80" --name first
    new_netns_container b
    assert_berth_error berth_host network connect web "$b" -p 8080:80
    assert_contains "$ERR" "'first'"
}

test_publish_gone_after_disconnect() {
    local b
    create_net web
    _published_container web netns -p 8080:80 -p 5353:53/udp
    local first=$C first_ip=$C_IP
    _published_container web netns -p 8081:80
    assert_port_answers up "$UPLINK_HOST_IP" 8080 tcp web
    assert_ok berth_host network disconnect web "$first"
    assert_port_silent up "$UPLINK_HOST_IP" 8080 tcp
    assert_port_silent up "$UPLINK_HOST_IP" 5353 udp
    # exactly its elements are gone; the other container's stay and still answer
    assert_eq "tcp . 8081 : $C_IP . 80" "$(nft_map ports-any)" "elements after disconnect"
    assert_not_contains "$(nft_berth)" "$first_ip" "nothing of the removed endpoint left"
    assert_port_answers up "$UPLINK_HOST_IP" 8081 tcp web
    assert_ok berth_host ports --format json
    assert_eq 1 "$(jq length <<<"$OUT")" "berth ports after disconnect"
    # the port can be published again
    new_netns_container b
    connect web "$b" -p 8080:80
    # network rm --force removes the rest
    assert_ok berth_host network rm web --force
    assert_eq "" "$(nft_berth)" "table gone with the last network"
}

test_publish_gone_when_namespace_dies() {
    local cpid
    create_net web
    new_pid_container cpid
    connect web "$cpid" -p 8080:80
    kill_container "$cpid"
    assert_ok berth_host network disconnect web "$cpid"
    assert_eq "" "$(nft_map ports-any)" "element removed with the dead container's endpoint"
}

test_publish_survives_rerender() {
    create_net web
    _published_container web netns -p 8080:80 -p "$UPLINK_HOST_IP:8443:80"
    create_net other        # re-renders the whole table from the store
    assert_eq "tcp . 8080 : $C_IP . 80" "$(nft_map ports-any)" "any-address element restored"
    assert_eq "203.0.113.2 . tcp . 8443 : $C_IP . 80" "$(nft_map ports)" "address element restored"
    assert_port_answers up "$UPLINK_HOST_IP" 8443 tcp web
    # a flushed table comes back on the next publication
    in_host nft delete table inet berth
    local b
    new_netns_container b
    connect web "$b" -p 8081:80
    assert_eq 2 "$(nft_map ports-any | wc -l)" "table re-rendered with every port"
    assert_port_answers up "$UPLINK_HOST_IP" 8080 tcp web
}

test_publish_refused_on_internal() {
    local c before
    create_net inner --internal
    new_netns_container c
    before=$(snapshot "$c")
    assert_berth_error berth_host network connect inner "$c" -p 8080:80
    assert_contains "$ERR" "internal"
    assert_unchanged "$before" "$c"
}

test_publish_bad_values() {
    local c before spec
    create_net web
    new_netns_container c
    before=$(snapshot "$c")
    for spec in 0:80 80:0 65536:80 8080 8080-8081:80 8080:80-81 9000-8000:1-2 1.2.3:80:80 8080:80/sctp a:b ""; do
        assert_berth_error berth_host network connect web "$c" -p "$spec"
    done
    assert_berth_error berth_host network connect web "$c" --publish=65535-65536:1-2
    assert_berth_error berth_host network connect web "$c" -p 224.0.0.1:80:80
    assert_unchanged "$before" "$c"
}

test_publish_option_spellings() {
    # the hot-path parser and swift-argument-parser accept the same spellings
    local a b
    create_net web
    new_netns_container a
    new_netns_container b
    connect web "$a" --publish=8080:80 -p 8085:81/tcp --name a
    connect web "$b" --name b --publish 0.0.0.0:8082:82/udp
    assert_ok berth_host ports --format json
    assert_eq '"a 8080","a 8085","b 8082"' "$(jq -c '.[] | "\(.name) \(.hostPort)"' <<<"$OUT" | sort | paste -sd,)"
}

test_run_publish() {
    local ready=$BT_TMP/run-ready pid i
    create_net web
    ip netns exec "$BT_HOST" env BERTH_STATE_DIR="$BT_STATE" "$BERTH" run --network web -p 8080:80 -- \
        python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 80)); s.listen(4); open(sys.argv[1], "w").close()
c, peer = s.accept(); c.sendall(b"run " + peer[0].encode() + b"\n"); c.close()
' "$ready" </dev/null >/dev/null 2>"$BT_TMP/run.err" &
    pid=$!
    _bt_record pids "$pid"
    for ((i = 0; i < 100; i++)); do [[ -e "$ready" ]] && break; sleep 0.05; done
    [[ -e "$ready" ]] || fail "berth run did not start: $(cat "$BT_TMP/run.err")"
    assert_port_answers up "$UPLINK_HOST_IP" 8080 tcp run
    wait "$pid" || fail "berth run failed: $(cat "$BT_TMP/run.err")"
    assert_eq "" "$(nft_map ports-any)" "berth run unpublished on exit"
}

test_direct_access_blocked() {
    create_net web
    _published_container web netns -p 8080:80
    start_payload_listener "$C" 0.0.0.0 81 secret tcp
    # the outside routes the container subnet through the host (as a neighbour on the same link
    # could) and tries the container address directly
    in_up ip route add "$NET_SUBNET" via "$UPLINK_HOST_IP"
    assert_port_silent up "$C_IP" 81 tcp
    assert_port_silent up "$C_IP" 80 tcp
    ping_fails up "$C_IP"
    # published traffic still arrives, and the container still reaches the outside
    assert_port_answers up "$UPLINK_HOST_IP" 8080 tcp web
    ping_ok "$C" "$UPSTREAM_IP"
    # the host itself may reach container addresses
    assert_port_answers host "$C_IP" 81 tcp secret
}
