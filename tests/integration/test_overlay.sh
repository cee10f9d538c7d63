# shellcheck shell=bash
# Overlay networks across hosts (issue 17): simulated hosts (network namespaces on one underlay
# bridge), Debian's etcd 3.4 in its own namespace, one berth agent per host (lease TTL 5 s), real
# containers (namespaces) attached with `berth network connect`. Every claim is checked in the
# kernel (VXLAN device, neighbour/FDB/route entries per peer), in etcd (keys, leases) and with
# real traffic. Topology and helpers: lib_overlay.sh.
#
# Knobs: OV_PER_HOST (containers per host in the mesh test, default 20); OV_STATIC=1 runs the mesh
# test through the kernel side's hidden seam `berth overlay-static` (no etcd, no agent).

# shellcheck source=lib_overlay.sh
source "$BT_LIB_DIR/lib_overlay.sh"

OV_NET=ov1
OV_SUBNET=10.240.0.0/16
OV_PREFIX=/berth

# _ov_join_all HOSTS [ARGS...]: every host in HOSTS creates/joins $OV_NET at the same moment;
# each must succeed.
_ov_join_all() {
    local hosts=$1 k; shift
    local -A pid=()
    for k in $hosts; do
        ov_berth "$k" network create "$OV_NET" --driver overlay --etcd "$OV_ETCD_URL" --subnet "$OV_SUBNET" "$@" \
            >"$BT_TMP/create$k.out" 2>"$BT_TMP/create$k.err" &
        pid[$k]=$!
    done
    for k in $hosts; do
        wait "${pid[$k]}" || fail "host $k: network create failed: $(cat "$BT_TMP/create$k.err")"
    done
}

# _ov_all_entries_right HOSTS: on every host of HOSTS the entries are exactly the others'.
_ov_all_entries_right() {
    local hosts=$1 k l peers
    for k in $hosts; do
        peers=""
        for l in $hosts; do [[ $l == "$k" ]] || peers+=" $l"; done
        # shellcheck disable=SC2086
        ov_entries_are "$k" $peers || return 1
    done
}

# _ov_show_entries HOSTS: what each host has, for a failure message.
_ov_show_entries() {
    local k
    for k in $1; do echo "host $k ($(ov_vxlan "$k")):"; ov_entries "$k" | sed 's/^/    /'; done
}

# _ov_wait_mesh_entries HOSTS SECONDS
_ov_wait_mesh_entries() {
    local end=$((SECONDS + $2))
    until _ov_all_entries_right "$1"; do
        ((SECONDS < end)) || fail "kernel entries never matched the peers within $2 s:
$(_ov_show_entries "$1")"
        sleep 0.1
    done
}

# _ov_one_line_error CMD...: exit 1..127 and exactly one non-empty stderr line; sets RC OUT ERR.
_ov_one_line_error() {
    run_capture "$@"
    if ((RC == 0 || RC >= 128)) || [[ $(grep -c . <<<"$ERR") -ne 1 ]]; then
        _show_result "$@"
        fail "expected a one-line error and a non-zero exit: $*"
    fi
    log "refused: $ERR"
}

# _ov_host_snapshot K: host K as a failed command must leave it.
_ov_host_snapshot() {
    local ns
    ns=$(ov_ns "$1")
    echo "## links"; ip -n "$ns" -o link show | awk -F': ' '{ split($2, n, "@"); print n[1] }' | sort
    echo "## addrs"; ip -n "$ns" -o -4 addr show | awk '{print $2, $4}' | sort
    echo "## routes"; ip -n "$ns" -4 route show | _settled_routes
    echo "## nft"; ip netns exec "$ns" nft list ruleset 2>&1
    echo "## networks"; ov_berth "$1" network ls --format json 2>&1 | jq -S 'sort_by(.name)' 2>&1
}

# _ov_dump_host K: host K's links, addresses, routes, neighbours, FDB and ruleset (for failures).
_ov_dump_host() {
    local ns
    ns=$(ov_ns "$1")
    {
        echo "--- host $1"
        ip -n "$ns" -d -o link show | cut -c1-250
        ip -n "$ns" -o -4 addr show
        ip -n "$ns" -4 route show
        ip -n "$ns" -4 neigh show
        bridge -n "$ns" fdb show | grep -v permanent | head -n 20
        bridge -n "$ns" fdb show | grep dst
        ip netns exec "$ns" sysctl net.ipv4.ip_forward
        ip netns exec "$ns" nft list ruleset
    } 2>&1 | sed 's/^/    /' >&2
}

# _ov_peer_lease KEY: the lease id (decimal) a key is attached to (0: none).
_ov_peer_lease() { ov_etcdctl get "$1" -w json | jq -r '.kvs[0].lease // 0'; }

# ---------------------------------------------------------------------------------------------

test_overlay_three_hosts_mesh_entries_nat_status_cni_doctor() {
    local n=${OV_PER_HOST:-20} k l j b blocks=() dev detail failures c res vni peers
    ov_setup 3

    if [[ ${OV_STATIC:-0} == 1 ]]; then
        for k in 1 2 3; do ov_static_join "$k" "$OV_NET"; blocks+=("$(ov_block "$k" "$OV_NET")"); done
        ov_static_peers "1 2 3" "$OV_NET"
        vni=4096
    else
        # three hosts join at the same moment: distinct /24 blocks of the subnet
        _ov_join_all "1 2 3"
        for k in 1 2 3; do
            b=$(ov_block "$k" "$OV_NET")
            in_subnet "${b%/*}" "$OV_SUBNET" || fail "host $k's block $b is not in $OV_SUBNET"
            assert_eq 24 "${b#*/}" "host $k's block is a /24"
            blocks+=("$b")
            assert_contains "$(cat "$BT_TMP/create$k.out")" "$b" "create on host $k prints its block"
        done
        assert_eq 3 "$(printf '%s\n' "${blocks[@]}" | sort -u | wc -l)" "three distinct blocks (${blocks[*]})"
        assert_eq "$(printf '%s\n' "${blocks[@]}" | sort)" \
            "$(ov_keys "$OV_PREFIX/overlay/$OV_NET/reservations/" | sed 's|.*/||; s|-|/|' | sort)" "one reservation per block"
        assert_ok ov_etcdctl get --print-value-only "$OV_PREFIX/overlay/$OV_NET/config"
        assert_eq "$OV_SUBNET 24 4789" "$(jq -r '"\(.subnet) \(.hostPrefix) \(.port)"' <<<"$OUT")" "stored definition"
        vni=$(jq -r .vni <<<"$OUT")
        for k in 1 2 3; do ov_agent_start "$k"; done
    fi
    _ov_wait_mesh_entries "1 2 3" 30
    for k in 1 2 3; do
        ov_remember "$k"
        dev=$(ov_vxlan "$k")
        detail=$(ip -n "$(ov_ns "$k")" -d -o link show dev "$dev")
        assert_contains "$detail" "vxlan id $vni " "host $k: VNI"
        assert_contains "$detail" "local $(ov_vtep "$k") " "host $k: local VTEP"
        assert_contains "$detail" "dstport 4789 " "host $k: port"
        assert_contains "$detail" "nolearning" "host $k: no learning"
        assert_contains "$detail" "mtu 1450 " "host $k: MTU = underlay 1500 - 50"
        assert_match "$detail" "[<,]UP[,>]" "host $k: up"
        assert_not_contains "$detail" " master " "host $k: the VXLAN device is not on the bridge"
        b=${blocks[$((k - 1))]}
        assert_eq "${b%.*/*}.0/32" "$(ip -n "$(ov_ns "$k")" -o -4 addr show dev "$dev" | awk '{print $4}')" "host $k: block .0/32 on the device"
        assert_eq 1450 "$(ov_berth "$k" network inspect "$OV_NET" | jq -r '.[0].mtu')" "host $k: network MTU"
        # the peer key is attached to a lease
        [[ ${OV_STATIC:-0} == 1 ]] || assert_ne 0 "$(_ov_peer_lease "$OV_PREFIX/overlay/$OV_NET/peers/${b/\//-}")" "host $k: peers key has a lease"
    done
    log "entries on host 1: $(ov_entries 1 | tr '\n' ';')"

    # containers per host, each addressed from its host's block
    for k in 1 2 3; do
        for ((j = 1; j <= n; j++)); do
            ov_container "$k" "$j" "$OV_NET"
            in_subnet "${OV_IP[$k,$j]}" "${blocks[$((k - 1))]}" || fail "container $k/$j got ${OV_IP[$k,$j]}, outside ${blocks[$((k - 1))]}"
        done
    done
    # the kernel entries grow with hosts, not with containers
    _ov_wait_mesh_entries "1 2 3" 5
    # every container pings every container on the other hosts
    local t0=$SECONDS
    failures=$(ov_mesh_failures "1 2 3" "$n")
    log "all-pairs ping: $((3 * n * 2 * n)) pairs in $((SECONDS - t0)) s, $(grep -c . <<<"$failures") failed"
    [[ -z "$failures" ]] || fail "pairs that never answered ($(grep -c . <<<"$failures")):
$(head -n 20 <<<"$failures")"

    # across hosts a container sees the other's real address (no masquerade inside the overlay)
    start_listener "$(ov_cname 2 1)" "${OV_IP[2,1]}" 7001
    assert_eq "${OV_IP[1,1]}" "$(tcp_ask "$(ov_cname 1 1)" "${OV_IP[2,1]}" 7001)" "source address across hosts"
    # the outside through the local host's NAT: the outside sees that host's underlay address
    start_listener "$(ov_out)" "$OV_OUTSIDE_IP" 7000
    for k in 1 3; do
        assert_eq "$(ov_vtep "$k")" "$(tcp_ask "$(ov_cname "$k" 2)" "$OV_OUTSIDE_IP" 7000)" "host $k's container goes out through host $k"
    done
    [[ ${OV_STATIC:-0} == 1 ]] && { log "OV_STATIC=1: status, CNI and doctor need the agent side; stopping here"; return 0; }

    # status: every host, its block and VTEP, programmed here
    assert_ok ov_berth 1 overlay status "$OV_NET"
    log "overlay status:
$OUT"
    for k in 1 2 3; do
        assert_contains "$OUT" "${blocks[$((k - 1))]}" "status shows host $k's block"
        assert_contains "$OUT" "$(ov_vtep "$k")" "status shows host $k's VTEP"
    done
    assert_ok ov_berth 1 overlay status "$OV_NET" --json
    jq -e . >/dev/null <<<"$OUT" || fail "overlay status --json is not JSON: $OUT"
    assert_eq 3 "$(jq '[.[] | select(.network == "'"$OV_NET"'") | .hosts[] | select(.alive)] | length' <<<"$OUT")" "status --json: three live hosts"
    assert_eq "" "$(jq -r '.[] | .hosts[] | select(.kernel != "ok" and .kernel != "local") | "\(.block) \(.kernel)"' <<<"$OUT")" "status --json: every peer programmed here"
    # The eBPF fast path, with one entry per container of host 1 (compared with the store).
    assert_eq true "$(jq '.[] | select(.network == "'"$OV_NET"'") | .fastPath.attached' <<<"$OUT")" "status --json: fast path attached"
    assert_eq "$(ov_berth 1 network inspect "$OV_NET" | jq '[.[0].endpoints[] | select(.ipv4 != null)] | length')" \
        "$(jq '.[] | select(.network == "'"$OV_NET"'") | .fastPath.entries' <<<"$OUT")" "status --json: one fast path entry per container"

    # CNI ADD on a joined host: an ordinary attach to the local network, reachable across hosts
    c=$(ov_cname 1 99); _bt_mkns "$c"
    local conf
    conf=$(jq -cn --arg n "$OV_NET" --arg e "$OV_ETCD_URL" '{cniVersion: "1.1.0", name: $n, type: "berth", driver: "overlay", etcd: $e}')
    run_capture ov_in 1 env -i PATH="$PATH" BERTH_STATE_DIR="$(ov_state 1)" BERTH_RESOLV_CONF="$BERTH_RESOLV_CONF" CNI_COMMAND=ADD CNI_CONTAINERID=bt-ov-cni1 \
        CNI_NETNS="/run/netns/$c" CNI_IFNAME=eth0 CNI_PATH=/opt/cni/bin "$BERTH" <<<"$conf"
    [[ $RC -eq 0 ]] || { _show_result "CNI ADD on host 1"; fail "CNI ADD on a joined host failed"; }
    res=$(jq -r '.ips[0].address' <<<"$OUT")
    in_subnet "${res%/*}" "${blocks[0]}" || fail "CNI ADD gave $res, outside host 1's block ${blocks[0]}"
    wait_until 10 "host 2's container reaching the CNI container" ov_reaches "$(ov_cname 2 1)" "${res%/*}"
    # on a host that never joined, ADD fails with one line naming the command to run
    ov_host_up 4
    c=$(ov_cname 4 99); _bt_mkns "$c"
    run_capture ov_in 4 env -i PATH="$PATH" BERTH_STATE_DIR="$(ov_state 4)" CNI_COMMAND=ADD CNI_CONTAINERID=bt-ov-cni4 \
        CNI_NETNS="/run/netns/$c" CNI_IFNAME=eth0 CNI_PATH=/opt/cni/bin "$BERTH" <<<"$conf"
    ((RC != 0 && RC < 128)) || { _show_result "CNI ADD on host 4"; fail "CNI ADD on an unjoined host did not fail"; }
    jq -e '.code and .msg' >/dev/null 2>&1 <<<"$OUT" || { _show_result "CNI ADD on host 4"; fail "no CNI error object"; }
    log "CNI ADD on an unjoined host: $(jq -r .msg <<<"$OUT")"
    assert_contains "$(jq -r .msg <<<"$OUT")" "network create" "the error names the command to run"
    assert_eq "" "$(ip netns exec "$c" ip -o link show | grep -v ': lo:')" "nothing attached on host 4"
    assert_eq "" "$(ov_kernel_traces 4)" "nothing created on host 4"

    # doctor: quiet about the overlay while the agent runs, flags a host whose agent is not running
    run_capture ov_berth 1 doctor
    log "doctor on host 1 (agent running), exit $RC: $(grep -i agent <<<"$OUT$ERR" | head -n 3)"
    ov_agent_stop 3
    run_capture ov_berth 3 doctor
    log "doctor on host 3 (agent stopped), exit $RC: $(grep -i agent <<<"$OUT$ERR" | head -n 3)"
    assert_ne 0 "$RC" "doctor exit status with the agent stopped"
    assert_contains "$OUT$ERR" "agent" "doctor names the missing agent"

    # doctor: another firewall dropping the VXLAN port on host 1 cuts host 1 off; doctor names
    # it with a fix that, run as printed, brings the traffic back (the table is this test's, in
    # host 1's namespace)
    ov_in 1 nft -f - <<'NFT' || fail "cannot add the foreign firewall table"
table inet bt_ovfw {
    chain bt_in {
        type filter hook input priority filter; policy accept;
        udp dport 4789 drop
    }
}
NFT
    wait_until 10 "host 2's container cut off from host 1's" ov_unreachable "$(ov_cname 2 1)" "${OV_IP[1,1]}"
    run_capture ov_berth 1 doctor
    log "doctor on host 1 (VXLAN port dropped), exit $RC: $(grep -A1 'UDP port 4789' <<<"$OUT" | head -n 2 | tr '\n' ' ')"
    assert_ne 0 "$RC" "doctor exit status with the VXLAN port dropped"
    assert_contains "$OUT" "table inet bt_ovfw chain bt_in drops UDP port 4789" "doctor names the chain dropping the VXLAN port"
    local fix
    fix=$(grep -A1 "drops UDP port 4789" <<<"$OUT" | sed -n 's/^ *fix: //p')
    assert_eq "nft insert rule inet bt_ovfw bt_in ip saddr 198.51.100.0/24 udp dport 4789 accept" "$fix" "doctor's fix (the underlay only)"
    # shellcheck disable=SC2086  # the fix is a command line, run word by word as a user would
    ov_in 1 $fix || fail "the printed fix failed: $fix"
    wait_until 10 "host 2's container reaching host 1's again" ov_reaches "$(ov_cname 2 1)" "${OV_IP[1,1]}"
    run_capture ov_berth 1 doctor
    assert_not_contains "$OUT" "UDP port 4789" "doctor is quiet about the port once it is accepted"
    ov_in 1 nft delete table inet bt_ovfw
}

test_overlay_agent_death_and_etcd_outage() {
    local k start waited p1 p2 loss1 loss2
    ov_setup 4
    for k in 1 2 3; do ov_create "$k" "$OV_NET" --subnet "$OV_SUBNET"; done
    for k in 1 2 3; do ov_agent_start "$k"; ov_container "$k" 1 "$OV_NET"; done
    _ov_wait_mesh_entries "1 2 3" 30
    for k in 1 2 3; do ov_remember "$k"; done
    wait_until 10 "host 1 reaching host 3's container" ov_reaches "$(ov_cname 1 1)" "${OV_IP[3,1]}"

    # host 3's agent killed: its entries leave the peers within TTL + a few seconds
    ov_agent_stop 3
    start=$SECONDS
    wait_until $((OV_LEASE_TTL + 10)) "host 3 gone from hosts 1 and 2" eval 'ov_lacks_peer 1 3 && ov_lacks_peer 2 3'
    waited=$((SECONDS - start))
    log "host 3's entries left its peers ${waited} s after its agent died (TTL $OV_LEASE_TTL s)"
    ov_key_absent "$OV_PREFIX/overlay/$OV_NET/peers/${OV_BLOCKS[3]/\//-}" || fail "host 3's peer key outlived its lease"
    ov_key_present "$OV_PREFIX/overlay/$OV_NET/reservations/${OV_BLOCKS[3]/\//-}" || fail "host 3's reservation went with its lease"
    ov_entries_are 1 2 || fail "host 1's entries besides host 3 changed: $(ov_entries 1)"
    ov_entries_are 3 1 2 || fail "host 3's own entries (its agent is dead) changed: $(ov_entries 3)"
    ov_unreachable "$(ov_cname 1 1)" "${OV_IP[3,1]}" || fail "host 3's container still reachable without its entries"
    # … and come back when it restarts
    ov_agent_start 3
    start=$SECONDS
    _ov_wait_mesh_entries "1 2 3" 20
    log "host 3 back on its peers $((SECONDS - start)) s after its agent restarted"
    wait_until 10 "host 1 reaching host 3's container again" ov_reaches "$(ov_cname 1 1)" "${OV_IP[3,1]}"

    # etcd stopped for 30 s: traffic between running containers goes on
    ip netns exec "$(ov_cname 1 1)" ping -n -i 0.5 -w 33 "${OV_IP[2,1]}" >"$BT_TMP/ping12" 2>&1 &
    p1=$!
    ip netns exec "$(ov_cname 3 1)" ping -n -i 0.5 -w 33 "${OV_IP[1,1]}" >"$BT_TMP/ping31" 2>&1 &
    p2=$!
    ov_etcd_stop
    log "etcd stopped for 30 s"
    sleep 30   # the issue's explicit outage
    _ov_all_entries_right "1 2 3" || fail "entries changed while etcd was down:
$(_ov_show_entries "1 2 3")"
    for k in 1 2 3; do ov_agent_running "$k" || fail "host $k's agent died while etcd was down"; done
    ov_etcd_start
    wait "$p1"; wait "$p2"
    loss1=$(grep -o '[0-9.]*% packet loss' "$BT_TMP/ping12")
    loss2=$(grep -o '[0-9.]*% packet loss' "$BT_TMP/ping31")
    log "pings through the outage: 1→2 $(grep -o '[0-9]* received' "$BT_TMP/ping12"), $loss1; 3→1 $(grep -o '[0-9]* received' "$BT_TMP/ping31"), $loss2"
    [[ "${loss1%%%*}" == 0 && "${loss2%%%*}" == 0 ]] || fail "packets lost during the etcd outage: $loss1, $loss2"
    # the agents recover: every host's peer key is back, and a new host propagates
    wait_until 60 "the three peer keys back in etcd" eval '[[ $(ov_keys "$OV_PREFIX/overlay/$OV_NET/peers/" | wc -l) == 3 ]]'
    ov_create 4 "$OV_NET"
    ov_agent_start 4
    ov_container 4 1 "$OV_NET"
    start=$SECONDS
    _ov_wait_mesh_entries "1 2 3 4" 30
    log "a host joining after the outage reached every peer's kernel in $((SECONDS - start)) s"
    for k in 1 2 3; do
        wait_until 10 "host $k's container reaching host 4's" ov_reaches "$(ov_cname "$k" 1)" "${OV_IP[4,1]}"
    done
}

test_overlay_rebooted_host_reclaims_its_block() {
    local block2 id2 res
    ov_setup 2
    for k in 1 2; do ov_create "$k" "$OV_NET" --subnet "$OV_SUBNET"; ov_agent_start "$k"; done
    for k in 1 2; do ov_container "$k" 1 "$OV_NET"; ov_container "$k" 2 "$OV_NET"; done
    _ov_wait_mesh_entries "1 2" 30
    ov_remember 2
    block2=${OV_BLOCKS[2]}
    res=$(ov_etcdctl get --print-value-only "$OV_PREFIX/overlay/$OV_NET/reservations/${block2/\//-}")
    id2=$(jq -r .host <<<"$res")
    wait_until 10 "host 1 reaching host 2" ov_reaches "$(ov_cname 1 1)" "${OV_IP[2,1]}"

    # reboot: namespace, devices, containers gone; the state dir stays
    ov_host_reboot 2
    assert_eq "" "$(ov_kernel_traces 2)" "a rebooted host starts with nothing"
    ov_agent_start 2
    ov_container 2 1 "$OV_NET"
    ov_container 2 2 "$OV_NET"
    assert_eq "$block2" "$(ov_block 2 "$OV_NET")" "host 2 keeps its block"
    in_subnet "${OV_IP[2,1]}" "$block2" || fail "host 2's container got ${OV_IP[2,1]} outside $block2"
    res=$(ov_etcdctl get --print-value-only "$OV_PREFIX/overlay/$OV_NET/reservations/${block2/\//-}")
    assert_eq "$id2" "$(jq -r .host <<<"$res")" "the reservation still names host 2"
    assert_eq 2 "$(ov_keys "$OV_PREFIX/overlay/$OV_NET/reservations/" | wc -l)" "no second block claimed"
    _ov_wait_mesh_entries "1 2" 30
    assert_eq "${OV_MACS[2]}" "$(ov_mac 2)" "the recreated VXLAN device keeps its MAC"
    local end=$((SECONDS + 10))
    until ov_reaches "$(ov_cname 1 1)" "${OV_IP[2,1]}"; do
        ((SECONDS < end)) || { _ov_dump_host 2; _ov_dump_host 1
            ov_reaches "$(ov_cname 2 1)" "$(ov_berth 2 network inspect "$OV_NET" | jq -r '.[0].gateway')" && log "host 2's container reaches its gateway" || log "host 2's container does not reach its gateway"
            fail "host 1 never reached host 2's container ${OV_IP[2,1]} after the reboot"; }
        sleep 0.1
    done
    ov_reaches "$(ov_cname 1 2)" "${OV_IP[2,2]}" || fail "host 1 → host 2 container 2"
    ov_reaches "$(ov_cname 2 2)" "${OV_IP[1,1]}" || fail "host 2 → host 1"
}

test_overlay_rm_local_and_everywhere_leave_nothing() {
    local k
    ov_setup 3
    for k in 1 2 3; do ov_create "$k" "$OV_NET" --subnet "$OV_SUBNET"; ov_agent_start "$k"; ov_container "$k" 1 "$OV_NET"; done
    _ov_wait_mesh_entries "1 2 3" 30
    for k in 1 2 3; do ov_remember "$k"; done

    # local rm on host 3: it leaves; its peers drop it; its keys go
    assert_ok ov_berth 3 network rm --force "$OV_NET"
    assert_eq "" "$(ov_kernel_traces 3)" "host 3 after network rm"
    assert_eq "" "$(ip netns exec "$(ov_cname 3 1)" ip -o link show | grep -v ': lo:')" "host 3's container detached"
    ov_key_absent "$OV_PREFIX/overlay/$OV_NET/reservations/${OV_BLOCKS[3]/\//-}" || fail "host 3's reservation left"
    wait_until 10 "host 3's peer key gone" ov_key_absent "$OV_PREFIX/overlay/$OV_NET/peers/${OV_BLOCKS[3]/\//-}"
    _ov_wait_mesh_entries "1 2" 10

    # rm --everywhere on host 1: every host's copy goes, and every key under the network
    assert_ok ov_berth 1 network rm --force --everywhere "$OV_NET"
    assert_eq "" "$(ov_kernel_traces 1)" "host 1 after rm --everywhere"
    wait_until 20 "host 2's agent removing its copy" eval '[[ -z "$(ov_kernel_traces 2)" ]]'
    wait_until 10 "host 2's network record gone" eval '[[ "$(ov_berth 2 network ls --format json | jq -r ".[] | select(.name == \"$OV_NET\") | .name")" == "" ]]'
    assert_eq "" "$(ip netns exec "$(ov_cname 2 1)" ip -o link show | grep -v ': lo:')" "host 2's container detached"
    assert_eq "" "$(ov_keys "$OV_PREFIX/overlay/$OV_NET")" "no key of the network in etcd"
    for k in 1 2 3; do ov_agent_stop "$k"; done
    # leases: none after the agents stop (revoked, or expired after the TTL)
    wait_until $((OV_LEASE_TTL + 10)) "no lease in etcd" eval '[[ -z "$(ov_leases)" ]]'
    assert_eq "" "$(ov_keys "$OV_PREFIX/")" "nothing under $OV_PREFIX in etcd"
    for k in 1 2 3; do
        assert_eq "" "$(ov_kernel_traces "$k")" "host $k at the end"
        assert_eq "[]" "$(ov_berth "$k" endpoints --format json | jq -c .)" "host $k: no endpoint left"
    done
}

test_overlay_bad_input_is_refused_and_changes_nothing() {
    local before1 before2 keys
    ov_setup 2
    assert_ok ov_berth 1 network create local1 --subnet 10.240.7.0/24
    before1=$(_ov_host_snapshot 1)
    keys=$(ov_keys /)

    # an overlay subnet overlapping a local network
    _ov_one_line_error ov_berth 1 network create "$OV_NET" --driver overlay --etcd "$OV_ETCD_URL" --subnet 10.240.0.0/16
    assert_contains "$ERR" "10.240" "the error names the overlap"
    # a block size that does not fit
    _ov_one_line_error ov_berth 1 network create "$OV_NET" --driver overlay --etcd "$OV_ETCD_URL" --subnet 10.250.0.0/16 --host-prefix 16
    _ov_one_line_error ov_berth 1 network create "$OV_NET" --driver overlay --etcd "$OV_ETCD_URL" --subnet 10.250.0.0/16 --host-prefix 31
    _ov_one_line_error ov_berth 1 network create "$OV_NET" --driver overlay --etcd "$OV_ETCD_URL" --subnet 10.250.0.0/24 --host-prefix 24
    # unreachable etcd (nothing listens there; the underlay answers nothing for it)
    local t0=$SECONDS
    _ov_one_line_error timeout 60 ip netns exec "$(ov_ns 1)" env BERTH_STATE_DIR="$(ov_state 1)" "$BERTH" \
        network create "$OV_NET" --driver overlay --etcd http://198.51.100.99:2379 --subnet 10.250.0.0/16
    log "unreachable etcd refused after $((SECONDS - t0)) s"
    assert_eq "$before1" "$(_ov_host_snapshot 1)" "host 1 unchanged by the refused commands"
    assert_eq "$keys" "$(ov_keys /)" "etcd unchanged by the refused commands"

    # a definition disagreeing with the stored one
    ov_create 2 "$OV_NET" --subnet 10.250.0.0/16 --vni 5000
    keys=$(ov_keys /)
    local config
    config=$(ov_etcdctl get --print-value-only "$OV_PREFIX/overlay/$OV_NET/config")
    _ov_one_line_error ov_berth 1 network create "$OV_NET" --driver overlay --etcd "$OV_ETCD_URL" --subnet 10.251.0.0/16
    assert_contains "$ERR" "10.250.0.0/16" "the error names the stored subnet"
    _ov_one_line_error ov_berth 1 network create "$OV_NET" --driver overlay --etcd "$OV_ETCD_URL" --vni 5001
    _ov_one_line_error ov_berth 1 network create "$OV_NET" --driver overlay --etcd "$OV_ETCD_URL" --host-prefix 26
    assert_eq "$before1" "$(_ov_host_snapshot 1)" "host 1 unchanged by the refused joins"
    assert_eq "$keys" "$(ov_keys /)" "etcd keys unchanged by the refused joins"
    assert_eq "$config" "$(ov_etcdctl get --print-value-only "$OV_PREFIX/overlay/$OV_NET/config")" "stored definition unchanged"
    # … while joining with the stored definition (or none stated) works, on a block of its own
    ov_create 1 "$OV_NET"
    assert_ne "$(ov_block 2 "$OV_NET")" "$OV_BLOCK" "host 1's block differs from host 2's"
    in_subnet "${OV_BLOCK%/*}" 10.250.0.0/16 || fail "host 1 joined with block $OV_BLOCK outside the stored subnet"
}
