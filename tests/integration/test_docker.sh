# shellcheck shell=bash
# Beside Docker: a real dockerd in the test's host namespace sets FORWARD policy DROP; Berth's
# networks must keep working with nothing done by the user, with one rule of Berth's in
# DOCKER-USER while Berth has networks and none afterwards.
#
# dockerd is confined: it runs inside the test's host netns, in its own mount namespace (a tmpfs
# on /run; the cgroup hierarchies, v1 or v2 as on the machine, mounted again, since `ip netns
# exec` hides /sys/fs/cgroup) and its own PID namespace (it and its containerd die with it), with
# its data, sockets and pid file under the test's temp dir. No image is pulled and no container
# is started.

DOCKER_LOG=""

# _start_dockerd: start dockerd in the host netns and wait until its API is up (its firewall
# chains are made before that). Sets DOCKERD_UNSHARE (the reaper's PID). Skips the test when
# dockerd is not installed.
_start_dockerd() {
    command -v dockerd >/dev/null 2>&1 || { echo "SKIP: dockerd not installed (apt-get install docker.io)"; exit 77; }
    local dir="$BT_TMP/docker" i cgroup2=0
    [[ "$(stat -fc %T /sys/fs/cgroup)" == cgroup2fs ]] && cgroup2=1
    mkdir -p "$dir"
    DOCKER_LOG="$dir/dockerd.log"
    : >"$DOCKER_LOG"
    ip netns exec "$BT_HOST" unshare --mount --pid --fork --kill-child sh -c '
        set -e
        mount --make-rprivate /
        mount -t proc proc /proc
        mount -t tmpfs -o mode=755 bt-docker-run /run
        if [ "$2" = 1 ]; then
            mount -t cgroup2 cgroup2 /sys/fs/cgroup
        else
            mount -t tmpfs -o mode=755 bt-docker-cgroup /sys/fs/cgroup
            for c in cpu cpuacct cpuset memory devices freezer blkio pids; do
                grep -qw "$c" /proc/cgroups || continue
                mkdir -p /sys/fs/cgroup/$c && mount -t cgroup -o $c cgroup /sys/fs/cgroup/$c || true
            done
        fi
        exec dockerd --data-root "$1/data" --exec-root /run/bt-docker -H "unix://$1/docker.sock" \
            --pidfile /run/bt-docker.pid --storage-driver vfs
    ' bt-dockerd "$dir" "$cgroup2" </dev/null >>"$DOCKER_LOG" 2>&1 &
    DOCKERD_UNSHARE=$!
    _bt_record pids "$DOCKERD_UNSHARE"
    for ((i = 0; i < 600; i++)); do
        grep -q "API listen on" "$DOCKER_LOG" && break
        kill -0 "$DOCKERD_UNSHARE" 2>/dev/null || fail "dockerd exited: $(tail -5 "$DOCKER_LOG")"
        sleep 0.05
    done
    ((i < 600)) || fail "dockerd did not start in 30 s: $(tail -5 "$DOCKER_LOG")"
    in_host iptables -S FORWARD | grep -qx -- "-P FORWARD DROP" \
        || fail "test setup: dockerd did not set the FORWARD policy to DROP: $(in_host iptables -S FORWARD)"
}

# _stop_dockerd: SIGTERM to dockerd (by the PID of the reaper's child), wait for it to exit.
_stop_dockerd() {
    local pid
    pid=$(cat "/proc/$DOCKERD_UNSHARE/task/$DOCKERD_UNSHARE/children" 2>/dev/null)
    pid=${pid%% *}
    [[ -n "$pid" ]] && kill -TERM "$pid"
    wait "$DOCKERD_UNSHARE" 2>/dev/null
    return 0
}

# _berth_rules: Berth's rules in Docker's chains, as iptables prints them.
_berth_rules() { in_host iptables -S | grep -- "berth" || true; }

# _assert_three_flows A B: outbound NAT from A, container to container on one bridge (A to B,
# ICMP and TCP), and B's published port 8080 from the upstream all work.
_assert_three_flows() {
    assert_eq "$UPLINK_HOST_IP" "$(tcp_ask "$1" "$UPSTREAM_IP" 8081)" "outbound NAT beside Docker"
    ping_ok "$1" "$B_IP"
    assert_eq "$A_IP" "$(tcp_ask "$1" "$B_IP" 80)" "container to container on one bridge beside Docker"
    assert_eq "$UPSTREAM_IP" "$(tcp_ask "$BT_UP" "$UPLINK_HOST_IP" 8080)" "published port beside Docker"
}

# _two_containers NETWORK: A plain, B publishing 8080 -> 80 with a listener; upstream listener
# on 8081. Sets A B A_IP B_IP.
_two_containers() {
    new_netns_container A
    new_netns_container B
    connect "$1" "$A"
    A_IP=$EP_IP
    connect "$1" "$B" -p 8080:80
    B_IP=$EP_IP
    start_listener "$B" 0.0.0.0 80
    start_upstream_listener 8081
}

test_docker_beside_berth_nat_bridge_and_ports_work() {
    local docker_rules
    _start_dockerd
    docker_rules=$(in_host iptables -S)
    create_net web
    _two_containers web
    _assert_three_flows "$A" "$B"
    # One rule of Berth's, where Docker expects users' rules; Docker's policy and its own rules
    # are as Docker left them, and iptables still reads the table.
    assert_eq "-A DOCKER-USER -m mark --mark 0x100000/0x100000 -m comment --comment berth-vetted -j ACCEPT" \
        "$(_berth_rules)" "Berth's one rule in DOCKER-USER"
    assert_eq "$docker_rules" "$(in_host iptables -S | grep -v -- berth-vetted)" "Docker's own rules untouched"
    assert_ok in_host iptables-save
    # A second network adds nothing to Docker's chains.
    create_net api
    assert_eq 1 "$(_berth_rules | wc -l)" "still one rule with two networks"
    assert_ok berth_host doctor
    # Docker's containers stay Docker's business: Berth's mark does not open a Docker
    # container's unpublished port to Berth's containers, and Docker's egress still works.
    local d
    new_netns_container d
    in_host ip link add bt-dk type veth peer name eth0 netns "$d"
    in_host ip link set bt-dk master docker0 up
    in_ns "$d" ip addr add 172.17.0.2/16 dev eth0
    in_ns "$d" ip link set eth0 up
    in_ns "$d" ip route add default via 172.17.0.1
    start_listener "$d" 0.0.0.0 81
    assert_eq "$UPLINK_HOST_IP" "$(tcp_ask "$d" "$UPSTREAM_IP" 8081)" "a container on docker0 still reaches out"
    assert_fails tcp_ask "$A" 172.17.0.2 81
    assert_eq "" "$(peers_seen 81)" "nothing from Berth reached Docker's container"
}

test_docker_flush_and_restart_are_healed() {
    local c
    _start_dockerd
    create_net web
    _two_containers web
    _assert_three_flows "$A" "$B"
    # Someone flushes Docker's user chain: Docker's policy drops Berth's traffic again...
    in_host iptables -F DOCKER-USER
    assert_fails tcp_ask "$A" "$UPSTREAM_IP" 8081
    run_capture berth_host doctor
    assert_eq 1 "$RC" "doctor reports the missing rule"
    assert_contains "$OUT" "DOCKER-USER chain lacks Berth's accept rule"
    # A runtime asking CNI STATUS learns that existing containers may have lost connectivity.
    CNI_STDIN=$(cni_conf web) cni_error 51 STATUS "" "" ""
    # ...and the next connect puts the rule back (the same self-heal as for Berth's own table).
    new_netns_container c
    connect web "$c"
    assert_eq 1 "$(_berth_rules | wc -l)" "connect restored the rule"
    CNI_STDIN=$(cni_conf web) cni_ok STATUS "" "" ""
    _assert_three_flows "$A" "$B"
    # Docker restarts after its whole firewall was flushed (as after a reboot with Berth's
    # networks restored first): the chain comes back empty, `berth firewall reload` heals it.
    _stop_dockerd
    in_host iptables -F
    in_host iptables -X
    _start_dockerd
    assert_eq "" "$(_berth_rules)" "test setup: Docker's new chain lacks Berth's rule"
    assert_fails tcp_ask "$A" "$UPSTREAM_IP" 8081
    assert_ok berth_host firewall reload
    _assert_three_flows "$A" "$B"
    # gc repairs it too, and says so.
    in_host iptables -F DOCKER-USER
    assert_ok berth_host gc
    assert_contains "$OUT" "restored Berth's accept rule in Docker's DOCKER-USER chain"
    _assert_three_flows "$A" "$B"
    assert_eq 1 "$(_berth_rules | wc -l)" "exactly one rule after every repair"
    # A plain Docker restart keeps DOCKER-USER as it was: nothing to heal.
    _stop_dockerd
    _start_dockerd
    _assert_three_flows "$A" "$B"
    assert_eq 1 "$(_berth_rules | wc -l)" "the rule survived a Docker restart"
}

test_docker_last_network_removed_leaves_nothing() {
    local before
    _start_dockerd
    before=$(in_host iptables -S)
    create_net web
    create_net api
    _two_containers web
    _assert_three_flows "$A" "$B"
    assert_ok berth_host network rm --force web
    assert_eq 1 "$(_berth_rules | wc -l)" "the rule stays while a network remains"
    assert_ok berth_host network rm api
    assert_eq "$before" "$(in_host iptables -S)" "Docker's chains exactly as Docker made them"
    assert_not_contains "$(in_host nft list ruleset)" "0x00100000" "no trace of Berth's mark"
    assert_not_contains "$(in_host nft list tables)" "inet berth"
    assert_ok berth_host gc
    assert_eq "nothing to repair" "$OUT"
    # A create killed right after the firewall change leaves the rule without a network: gc
    # takes it away again.
    run_capture ip netns exec "$BT_HOST" env BERTH_STATE_DIR="$BT_STATE" BERTH_FAULT=create:after-firewall \
        "$BERTH" network create crashed
    assert_eq 137 "$RC" "berth killed itself at create:after-firewall"
    assert_eq 1 "$(_berth_rules | wc -l)" "test setup: the crash left the rule behind"
    assert_ok berth_host gc
    assert_contains "$OUT" "removed Berth's accept rule from Docker's DOCKER-USER chain"
    assert_eq "$before" "$(in_host iptables -S)" "gc removed what the crash left in Docker's chains"
}
