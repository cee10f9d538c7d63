# shellcheck shell=bash
# Disconnect, reconnect, rm, prune, subnet choice: nothing is left behind (no link, lease, rule).

_disconnect_scenario() {
    local kind=$1 c nft_before ip1
    create_net life
    nft_before=$(nft_berth)
    new_container "$kind" c
    connect life "$c"; ip1=$EP_IP
    local hostif=$EP_HOSTIF
    ping_ok "$c" "$NET_GW"

    assert_ok berth_host network disconnect life "$c"
    assert_container_clean "$c"
    await_detaches
    if ip -n "$BT_HOST" link show dev "$hostif" >/dev/null 2>&1; then fail "host veth $hostif left"; fi
    assert_clean
    assert_eq "$nft_before" "$(nft_berth)" "rules after disconnect"
    assert_ok berth_host network inspect life
    assert_eq 0 "$(jq '.[0].endpoints | length' <<<"$OUT")" "inspect endpoints after disconnect"
    ping_fails host "$ip1"

    # reconnect works
    connect life "$c"
    ping_ok "$c" "$NET_GW"
    ping_ok host "$EP_IP"
    assert_eq 1 "$(berth_host endpoints --format json | jq length)" "one endpoint after reconnect"
    assert_ok berth_host network disconnect life "$c"
    assert_clean
}

test_disconnect_reconnect_netns() { _disconnect_scenario netns; }

test_disconnect_reconnect_pid() { _disconnect_scenario pid; }

test_freed_address_not_reused_at_once() {
    local a b ipa ipb
    create_net rr --subnet 10.123.20.0/24
    new_netns_container a
    new_netns_container b
    connect rr "$a"; ipa=$EP_IP
    assert_ok berth_host network disconnect rr "$a"
    connect rr "$b"; ipb=$EP_IP
    assert_ne "$ipa" "$ipb" "a freed address must not be handed out again at once"
    # a freed address can still be requested explicitly
    connect rr "$a" --ip "$ipa"
    assert_eq "$ipa" "$EP_IP" "explicitly requested freed address"
}

test_rm_leaves_nothing() {
    local c subnet bridge
    create_net gone
    subnet=$NET_SUBNET bridge=$NET_BRIDGE
    new_pid_container c
    connect gone "$c"
    ping_ok "$c" "$NET_GW"
    assert_contains "$(nft_berth)" "$subnet" "a rule for the network exists while it exists"
    assert_ok berth_host network disconnect gone "$c"
    assert_ok berth_host network rm gone
    assert_clean "$bridge:$subnet"
    assert_container_clean "$c"
    assert_ok berth_host network ls --format json
    assert_eq "[]" "$(jq -c . <<<"$OUT")" "network ls after rm"
    assert_berth_error berth_host network inspect gone
    # the same name and subnet can be created again
    create_net gone --subnet "$subnet"
    connect gone "$c"
    ping_ok "$c" "$NET_GW"
}

test_rm_in_use_refused_then_force() {
    local c subnet bridge before ip
    create_net busy
    subnet=$NET_SUBNET bridge=$NET_BRIDGE
    new_netns_container c
    connect busy "$c"; ip=$EP_IP
    before=$(snapshot "$c")
    assert_berth_error berth_host network rm busy
    assert_unchanged "$before" "$c"
    ping_ok host "$ip"                         # still working
    assert_ok berth_host network rm --force busy
    assert_clean "$bridge:$subnet"
    assert_container_clean "$c"
}

test_rm_several_and_prune() {
    local c
    create_net p1; local b1=$NET_BRIDGE s1=$NET_SUBNET
    create_net p2; local b2=$NET_BRIDGE s2=$NET_SUBNET
    create_net p3; local g3=$NET_GW
    create_net p4; local b4=$NET_BRIDGE s4=$NET_SUBNET
    new_netns_container c
    connect p3 "$c"
    assert_ok berth_host network rm p1 p2
    assert_ok berth_host network ls --format json
    assert_eq "p3 p4" "$(jq -r '[.[].name] | sort | join(" ")' <<<"$OUT")" "networks after rm p1 p2"
    assert_ok berth_host network prune
    assert_ok berth_host network ls --format json
    assert_eq "p3" "$(jq -r '[.[].name] | sort | join(" ")' <<<"$OUT")" "prune keeps the network in use"
    assert_eq 1 "$(jq -r '.[0].endpoints' <<<"$OUT")" "p3 endpoint count"
    ping_ok "$c" "$g3"
    for spec in "$b1:$s1" "$b2:$s2" "$b4:$s4"; do
        if ip -n "$BT_HOST" link show "${spec%%:*}" >/dev/null 2>&1; then fail "bridge ${spec%%:*} left"; fi
        assert_not_contains "$(nft_berth)" "${spec#*:}" "rule of removed network"
    done
}

test_rm_force_after_container_died() {
    local c subnet bridge
    create_net dead
    subnet=$NET_SUBNET bridge=$NET_BRIDGE
    new_pid_container c
    connect dead "$c"
    kill_container "$c"
    sleep 0.2
    assert_ok berth_host network rm --force dead
    assert_clean "$bridge:$subnet"
}

test_two_networks_do_not_overlap() {
    local s1 s2 b1 b2 a b
    create_net first;  s1=$NET_SUBNET b1=$NET_BRIDGE; local g1=$NET_GW
    create_net second; s2=$NET_SUBNET b2=$NET_BRIDGE; local g2=$NET_GW
    assert_ne "$b1" "$b2" "bridges"
    if subnets_overlap "$s1" "$s2"; then fail "subnets overlap: $s1 $s2"; fi
    new_netns_container a
    new_netns_container b
    connect first "$a"
    connect second "$b"
    ping_ok "$a" "$g1"
    ping_ok "$b" "$g2"
    assert_ok berth_host network ls --format json
    assert_eq 2 "$(jq length <<<"$OUT")" "two networks listed"
}

test_subnet_choice_avoids_host_addresses_routes_nameservers() {
    # in the throwaway host netns only: an address, an on-link route and a nameserver
    in_host ip addr add 172.17.0.1/24 dev "$UPLINK_IF"
    in_host ip route add 172.17.1.0/24 dev "$UPLINK_IF"
    [[ -d /etc/netns ]] || : >"$BT_TMP/created-etc-netns"
    mkdir -p "/etc/netns/$BT_HOST"
    _bt_record files "/etc/netns/$BT_HOST"
    printf 'nameserver 172.17.2.53\n' >"/etc/netns/$BT_HOST/resolv.conf"
    assert_contains "$(in_host cat /etc/resolv.conf)" "172.17.2.53" "test setup: resolv.conf in the host netns"
    create_net chosen
    local s=$NET_SUBNET
    for taken in 172.17.0.0/24 172.17.1.0/24 172.17.2.53/32; do
        if subnets_overlap "$s" "$taken"; then fail "chosen subnet $s overlaps $taken"; fi
    done
    # the host's own uplink subnet is never chosen either
    if subnets_overlap "$s" 203.0.113.0/24; then fail "chosen subnet $s overlaps the uplink"; fi
}

test_subnet_choice_uses_BERTH_POOLS() {
    BERTH_POOLS=10.123.0.0/16:24 create_net pooled
    in_subnet "${NET_SUBNET%/*}" 10.123.0.0/16 || fail "subnet $NET_SUBNET not from BERTH_POOLS"
    assert_eq 24 "${NET_SUBNET#*/}" "pool prefix length"
    BERTH_POOLS=10.123.0.0/16:24 create_net pooled2
    in_subnet "${NET_SUBNET%/*}" 10.123.0.0/16 || fail "subnet $NET_SUBNET not from BERTH_POOLS"
    if subnets_overlap "$NET_SUBNET" "$(net_field pooled subnet)"; then fail "pooled subnets overlap"; fi
}

test_explicit_subnet_excluded_from_auto_choice() {
    create_net manual --subnet 10.123.0.0/24
    BERTH_POOLS=10.123.0.0/16:24 create_net auto
    if subnets_overlap "$NET_SUBNET" 10.123.0.0/24; then fail "auto subnet $NET_SUBNET overlaps the manual one"; fi
}

test_network_ls_and_inspect_json() {
    local c
    create_net lsnet --subnet 10.123.30.0/24 --label a=b
    assert_ok berth_host network ls --format json
    local o
    o=$(jq -c '.[] | select(.name == "lsnet")' <<<"$OUT")
    for key in name id bridge subnet gateway internal endpoints; do
        jq -e --arg k "$key" 'has($k)' >/dev/null <<<"$o" || fail "network ls JSON lacks $key: $o"
    done
    assert_eq 10.123.30.0/24 "$(jq -r .subnet <<<"$o")" "ls subnet"
    assert_eq 0 "$(jq -r .endpoints <<<"$o")" "ls endpoints"
    assert_eq false "$(jq -r .internal <<<"$o")" "ls internal"
    assert_ok berth_host network inspect lsnet
    o=$(jq -c '.[0]' <<<"$OUT")
    # (ipRange may be absent or null when no --ip-range was given)
    for key in name id driver bridge subnet gateway mtu internal masquerade labels created endpoints; do
        jq -e --arg k "$key" 'has($k)' >/dev/null <<<"$o" || fail "network inspect JSON lacks $key: $o"
    done
    assert_eq true "$(jq -r .masquerade <<<"$o")" "masquerade defaults to true"
    create_net other --subnet 10.123.31.0/24
    assert_ok berth_host network inspect lsnet other
    assert_eq "lsnet other" "$(jq -r '[.[].name] | join(" ")' <<<"$OUT")" "inspect of two networks"
}

# Berth's bridges do not snoop IGMP/MLD (so an attach costs the same however many containers are
# there: snooping re-arms every port's timers on each port change). Multicast still reaches
# every member: a datagram to a group arrives at two containers that joined it.
test_bridge_floods_multicast_without_snooping() {
    local a b c f ip_a
    create_net mcast --subnet 10.123.40.0/24
    assert_match "$(ip -n "$BT_HOST" -d link show dev "$NET_BRIDGE")" "mcast_snooping 0" "the bridge does not snoop multicast"
    new_netns_container a; connect mcast "$a"; ip_a=$EP_IP
    new_netns_container b; connect mcast "$b"
    new_netns_container c; connect mcast "$c"
    for f in "$b" "$c"; do
        in_ns "$f" python3 -c '
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("239.255.77.1", 5353))
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, struct.pack("4s4s", socket.inet_aton("239.255.77.1"), socket.inet_aton("0.0.0.0")))
open(sys.argv[1] + ".ready", "w").close()
data, peer = s.recvfrom(64)
open(sys.argv[1], "w").write(peer[0] + " " + data.decode() + "\n")
' "$BT_TMP/mcast-$f" </dev/null >/dev/null 2>"$BT_TMP/mcast-$f.err" &
        _await_listener "$!" "$BT_TMP/mcast-$f" "multicast listener in $f"
    done
    in_ns "$a" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
s.sendto(b"hello", ("239.255.77.1", 5353))
'
    for f in "$b" "$c"; do
        wait_until 5 "the multicast datagram in $f" test -s "$BT_TMP/mcast-$f"
        assert_eq "${ip_a%/*} hello" "$(cat "$BT_TMP/mcast-$f")" "multicast datagram seen in $f"
    done
}

# The per-network hint (STATE/hints/NAME) lets connect create the veth while the store opens.
# It is a copy, never trusted: a stale or damaged one must still give a correct attachment and
# be rewritten; network rm deletes it.
test_network_hint_written_checked_and_removed() {
    local c1 c2 hint gw bridge other_bridge subnet
    create_net hinted
    gw=$NET_GW bridge=$NET_BRIDGE subnet=$NET_SUBNET
    hint="$BT_STATE/hints/hinted"
    [[ -f "$hint" ]] || fail "network create wrote no hint file"
    assert_match "$(cat "$hint")" "^[0-9a-f]+ $bridge 0 bridge nftables ip4=$subnet@$gw$" "the hint names the network's id, bridge, MTU, driver, firewall, subnet and gateway"
    create_net other
    other_bridge=$NET_BRIDGE
    # Stale: another network's id and bridge.
    cp "$BT_STATE/hints/other" "$hint"
    new_netns_container c1
    connect hinted "$c1"
    ping_ok "$c1" "$gw"
    assert_contains "$(ip -n "$BT_HOST" -o link show "$EP_HOSTIF")" "master $bridge" "the veth is on the network's own bridge"
    assert_eq "" "$(ip -n "$BT_HOST" -o link show master "$other_bridge")" "nothing left on the bridge the stale hint named"
    assert_match "$(cat "$hint")" "^[0-9a-f]+ $bridge 0 bridge nftables ip4=$subnet@$gw$" "the stale hint was rewritten"
    # Damaged.
    echo "not a hint" >"$hint"
    new_netns_container c2
    connect hinted "$c2"
    ping_ok "$c2" "$gw"
    assert_match "$(cat "$hint")" "^[0-9a-f]+ $bridge 0 bridge nftables ip4=$subnet@$gw$" "the damaged hint was rewritten"
    assert_ok berth_host network rm --force hinted other
    [[ ! -e "$hint" ]] || fail "network rm left its hint file"
    assert_clean
}

_has_ipv4() { [[ -n "$(container_ipv4 "$1" 2>/dev/null)" ]]; }

# A disconnect (or a runtime's DEL after a timed-out ADD) that arrives while a connect is still
# between its steps removes the half-made endpoint; the connect then fails, undoes its veth, and
# says why, instead of reporting an endpoint the store no longer holds.
test_disconnect_during_a_running_connect() {
    local c pid rc=0
    create_net slow
    new_netns_container c
    ip netns exec "$BT_HOST" env BERTH_STATE_DIR="$BT_STATE" BERTH_FAULT=connect:before-active@pause \
        "$BERTH" network connect slow "$c" >/dev/null 2>"$BT_TMP/slow-connect.err" &
    pid=$!
    # its address is on eth0: the connect is at (or a step before) its pause before marking active
    wait_until 20 "the connect configured eth0" _has_ipv4 "$c"
    assert_ok berth_host network disconnect slow "$c"
    wait "$pid" || rc=$?
    assert_ne 0 "$rc" "the interrupted connect must fail"
    assert_contains "$(cat "$BT_TMP/slow-connect.err")" "removed by another command" "the connect says why"
    assert_clean
    assert_container_clean "$c"
}

# The store's write-ahead log is checkpointed and then restarted from its beginning, so it does
# not grow with the number of connects (every berth process re-reads it when it opens the store).
test_state_log_stays_bounded() {
    local i c
    create_net churn
    # Salt-1 of the WAL header (bytes 16-19) goes up by one each time the WAL starts over. (The
    # checkpoint sequence at bytes 12-15 counts restarts only since the last recovery, and with
    # berth-dns holding the store open there is none between commands.)
    wal_salt() { od -An -tu4 --endian=big -j16 -N4 "$BT_STATE/berth.db-wal" | tr -d " "; }
    local before
    before=$(wal_salt)
    for ((i = 0; i < 40; i++)); do
        new_netns_container c
        connect churn "$c"
    done
    local size restarts
    size=$(stat -c %s "$BT_STATE/berth.db-wal")
    # 64 pages of 1 KiB between checkpoints, plus what one connect adds: well under 128 KiB.
    ((size < 131072)) || fail "the WAL grew to $size bytes over 40 connects"
    # Connects leave the checkpoint to a detached child, which also starts the WAL over, about
    # once per ~9 connects.
    restarts=$(( ($(wal_salt) - before + 4294967296) % 4294967296 ))   # salt-1 wraps
    ((restarts >= 3)) || fail "the WAL started over only $restarts times in 40 connects"
}
