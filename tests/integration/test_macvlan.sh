# shellcheck shell=bash
# macvlan networks: containers on the LAN of a host interface (the parent), each with its own
# MAC, nothing of theirs on the host. This kernel has no dummy driver, so the parents are `ifb`
# links in the test's host namespace. An ifb sends nothing anywhere: traffic tests use two
# containers on one parent, which macvlan's bridge mode connects inside the kernel (and private
# mode keeps apart). Everything is checked in the kernel afterwards (`ip -d link`, addresses,
# routes, the host's links and nftables).

MV_PARENT=bt-ifb0

# _mv_parent NAME: an ifb link NAME in the host namespace, up (a stand-in LAN interface).
_mv_parent() {
    ip -n "$BT_HOST" link add "$1" type ifb || fail "cannot create ifb $1 (no ifb driver?)"
    ip -n "$BT_HOST" link set "$1" up
}

# _mv_link C [IFNAME]: `ip -d -o link show` of IFNAME (eth0) in container C.
_mv_link() { in_ns "$1" ip -d -o link show dev "${2:-eth0}"; }

# _host_link_names: the host namespace's links, names only, sorted.
_host_link_names() { ip -n "$BT_HOST" -o link show | awk -F': ' '{ split($2, n, "@"); print n[1] }' | sort; }

# _parent_state NAME: what a network must never change of its parent (name, flags, MTU, MAC).
_parent_state() { ip -n "$BT_HOST" -o link show dev "$1" | sed -E 's/^[0-9]+: //; s/ qdisc [^ ]+//; s/ state [A-Z]+//'; }

test_macvlan_bridge_mode_containers_reach_each_other_and_the_host_is_untouched() {
    local a b links_before parent_before ep_a mac_a ip_a ip_b
    _mv_parent "$MV_PARENT"
    links_before=$(_host_link_names)
    parent_before=$(_parent_state "$MV_PARENT")
    assert_ok berth_host network create lan --driver macvlan --parent "$MV_PARENT" --subnet 10.131.0.0/24 --gateway 10.131.0.254
    assert_eq lan "$OUT" "create prints the name"
    # inspect and ls say what the network is; nothing names a device it does not have
    assert_ok berth_host network inspect lan
    assert_eq macvlan "$(jq -r '.[0].driver' <<<"$OUT")" "driver"
    assert_eq "$MV_PARENT" "$(jq -r '.[0].parent' <<<"$OUT")" "parent"
    assert_eq bridge "$(jq -r '.[0].options.mode' <<<"$OUT")" "mode defaults to bridge"
    assert_eq null "$(jq -r '.[0].bridge' <<<"$OUT")" "no bridge"
    assert_eq none "$(jq -r '.[0].firewall' <<<"$OUT")" "no firewall rules"
    assert_eq false "$(jq -r '.[0].dns' <<<"$OUT")" "no name service"
    assert_eq false "$(jq -r '.[0].masquerade' <<<"$OUT")" "no NAT"
    assert_ok berth_host network ls
    assert_match "$(grep '^lan ' <<<"$OUT")" "^lan +macvlan/bridge +$MV_PARENT +10\.131\.0\.0/24 +10\.131\.0\.254 " "ls row"
    assert_ok berth_host network ls --format json
    assert_eq "macvlan $MV_PARENT" "$(jq -r '.[] | select(.name == "lan") | "\(.driver) \(.parent)"' <<<"$OUT")" "ls JSON"

    new_netns_container a
    new_pid_container b
    connect lan "$a"
    ep_a=$EP mac_a=$EP_MAC ip_a=$EP_IP
    assert_eq 10.131.0.254 "$EP_GW" "gateway as given"
    connect lan "$b"
    ip_b=$EP_IP
    # born in the container, a macvlan in bridge mode with the endpoint's MAC, on the parent
    assert_contains "$(_mv_link "$a")" "macvlan mode bridge" "mode in the kernel"
    assert_contains "$(_mv_link "$a")" "link/ether $mac_a" "MAC in the kernel"
    assert_contains "$(_mv_link "$a")" "state UP" "up"
    assert_eq "10.131.0.1/24" "$(container_ipv4 "$a")" "the first address (the gateway is .254)"
    assert_eq 10.131.0.254 "$(container_default_gw "$a")" "default route via the LAN's router"
    assert_eq "$ip_a" "$(jq -r '.ipv4 | split("/")[0]' <<<"$ep_a")" "connect reports the address"
    # nothing on the host: no link, no address, no rule; the parent as it was
    assert_eq "$links_before" "$(_host_link_names)" "no link added on the host"
    assert_eq "$parent_before" "$(_parent_state "$MV_PARENT")" "parent unchanged"
    assert_not_contains "$(in_host ip -4 addr show)" 10.131.0. "the gateway is not a host address"
    assert_eq "" "$(nft_berth)" "no nftables table for a macvlan network"
    # the two containers reach each other through the parent (bridge mode, inside the kernel)
    ping_ok "$a" "$ip_b"
    ping_ok "$b" "$ip_a"
    ping_fails host "$ip_a"

    assert_ok berth_host network disconnect lan "$a"
    assert_container_clean "$a"
    assert_berth_error berth_host network rm lan
    assert_contains "$ERR" "1 endpoint(s) attached" "rm refuses a network in use"
    assert_ok berth_host network rm --force lan
    assert_container_clean "$b"
    assert_clean
    assert_eq "$links_before" "$(_host_link_names)" "host links as before"
    assert_eq "$parent_before" "$(_parent_state "$MV_PARENT")" "network rm leaves the parent untouched"
    assert_eq "[]" "$(berth_host network ls --format json | jq -c .)" "network gone"
}

test_macvlan_private_mode_keeps_containers_apart() {
    local a b ip_a ip_b
    _mv_parent "$MV_PARENT"
    assert_ok berth_host network create priv --driver macvlan --parent "$MV_PARENT" --macvlan-mode private --subnet 10.131.1.0/24
    assert_eq private "$(net_field priv options | jq -r .mode)" "mode recorded"
    new_netns_container a
    new_netns_container b
    connect priv "$a"; ip_a=$EP_IP
    connect priv "$b"; ip_b=$EP_IP
    assert_contains "$(_mv_link "$a")" "macvlan mode private" "mode in the kernel"
    ping_fails "$a" "$ip_b"
    ping_fails "$b" "$ip_a"
    # the same parent in bridge mode, beside it, connects its own containers
    assert_ok berth_host network create open --driver macvlan --parent "$MV_PARENT" --subnet 10.131.2.0/24
    connect open "$a" --ifname eth1; ip_a=$EP_IP
    connect open "$b" --ifname eth1; ip_b=$EP_IP
    ping_ok "$a" "$ip_b"
}

test_macvlan_vepa_source_passthru_mtu_and_static_mac() {
    local a b c before
    _mv_parent "$MV_PARENT"
    _mv_parent bt-ifb1
    ip -n "$BT_HOST" link set bt-ifb1 mtu 9000
    # vepa, with an MTU and a MAC of the user's
    assert_ok berth_host network create vepa --driver macvlan --parent "$MV_PARENT" --macvlan-mode vepa --subnet 10.131.3.0/24 --mtu 1400
    new_netns_container a
    connect vepa "$a" --mac 02:42:0a:83:03:09 --ip 10.131.3.9
    assert_contains "$(_mv_link "$a")" "macvlan mode vepa" "vepa"
    assert_contains "$(_mv_link "$a")" "mtu 1400" "MTU"
    assert_contains "$(_mv_link "$a")" "link/ether 02:42:0a:83:03:09" "static MAC"
    assert_eq 10.131.3.9/24 "$(container_ipv4 "$a")" "static address"
    # source
    assert_ok berth_host network create src --driver macvlan --parent "$MV_PARENT" --macvlan-mode source --subnet 10.131.4.0/24
    connect src "$a" --ifname eth1
    assert_contains "$(_mv_link "$a" eth1)" "macvlan mode source" "source"
    # passthru takes the parent whole: its MAC, its MTU, and one endpoint only
    assert_ok berth_host network create pass --driver macvlan --parent bt-ifb1 --macvlan-mode passthru --subnet 10.131.5.0/24
    new_netns_container b
    connect pass "$b"
    assert_contains "$(_mv_link "$b")" "macvlan mode passthru" "passthru"
    assert_contains "$(_mv_link "$b")" "mtu 9000" "the parent's MTU"
    assert_contains "$(_mv_link "$b")" "link/ether $(ip -n "$BT_HOST" -o link show dev bt-ifb1 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)" "the parent's MAC"
    ping_ok "$b" 10.131.5.2   # its own address: up and configured
    new_netns_container c
    before=$(snapshot "$c")
    assert_berth_error berth_host network connect pass "$c"
    assert_contains "$ERR" "passthru mode allows only one endpoint per parent" "clear refusal"
    assert_unchanged "$before" "$c"
    # a second network in another mode on a passthru parent is refused by the kernel too
    assert_ok berth_host network create other --driver macvlan --parent bt-ifb1 --subnet 10.131.6.0/24
    before=$(snapshot "$c")
    assert_berth_error berth_host network connect other "$c"
    assert_contains "$ERR" "passthru" "names passthru"
    assert_unchanged "$before" "$c"
    # once the passthru endpoint is gone the parent takes another
    assert_ok berth_host network disconnect pass "$b"
    connect other "$c"
    assert_contains "$(_mv_link "$c")" "macvlan mode bridge" "bridge mode on the freed parent"
    # an MTU above the parent's is refused with a reason, not the kernel's bare EINVAL
    assert_ok berth_host network create big --driver macvlan --parent "$MV_PARENT" --subnet 10.131.7.0/24 --mtu 9000
    before=$(snapshot "$b")
    assert_berth_error berth_host network connect big "$b"
    assert_contains "$ERR" "MTU 9000" "names the MTU"
    assert_unchanged "$before" "$b"
}

test_macvlan_internal_network_has_no_default_route() {
    local a
    _mv_parent "$MV_PARENT"
    assert_ok berth_host network create inner --driver macvlan --parent "$MV_PARENT" --subnet 10.131.8.0/24 --internal
    new_netns_container a
    connect inner "$a"
    assert_eq 10.131.8.2/24 "$(container_ipv4 "$a")" "address"
    assert_eq "" "$(in_ns "$a" ip -4 route show default)" "no default route"
    assert_eq "" "$(nft_berth)" "no rules either"
}

test_macvlan_cli_network_default_route_has_the_kernel_metric() {
    local a
    _mv_parent "$MV_PARENT"
    assert_ok berth_host network create lan --driver macvlan --parent "$MV_PARENT" --subnet 10.131.9.0/24
    new_netns_container a
    connect lan "$a"
    assert_match "$(in_ns "$a" ip -4 route show default)" "^default via 10\.131\.9\.1 dev eth0 *$" "default route, kernel metric (CLI networks record 0)"
}

# _router_on_parent VAR PARENT: a namespace with a plain macvlan (bridge mode) on PARENT named
# bt-mvra, with fe80::1 (no DAD): a stand-in router on the parent's LAN. Its name goes in VAR.
_router_on_parent() {
    local _rns
    new_netns_container _rns
    ip -n "$BT_HOST" link add bt-mvra link "$2" type macvlan mode bridge || fail "cannot create the router's macvlan"
    ip -n "$BT_HOST" link set bt-mvra netns "$_rns"
    in_ns "$_rns" ip addr add fe80::1/64 dev bt-mvra nodad
    in_ns "$_rns" ip link set bt-mvra up
    printf -v "$1" '%s' "$_rns"
}

# _ras_seen C: router advertisements C's stack has received (also those it then ignored).
_ras_seen() { icmp6_count "$1" Icmp6InRouterAdvertisements; }
_ras_at_least() { (( $(_ras_seen "$1") >= $2 )); }

test_macvlan_router_advertisements_on_the_lan_configure_nothing() {
    local r a b pid out
    _mv_parent "$MV_PARENT"
    assert_ok berth_host network create v4 --driver macvlan --parent "$MV_PARENT" --subnet 10.131.10.0/24
    assert_ok berth_host network create ds --driver macvlan --parent "$MV_PARENT" --subnet 10.131.11.0/24 --subnet 2001:db8:131:11::/64
    new_netns_container a
    new_netns_container b
    connect v4 "$a"
    connect ds "$b"
    assert_eq "2001:db8:131:11::2/64" "$EP_CIDR6" "IPv6 address of the dual-stack endpoint"
    for c in "$a" "$b"; do
        assert_eq 0 "$(in_ns "$c" sysctl -n net.ipv6.conf.eth0.accept_ra)" "accept_ra off in $c"
        assert_eq 0 "$(in_ns "$c" sysctl -n net.ipv6.conf.eth0.autoconf)" "autoconf off in $c"
        assert_contains "$(_mv_link "$c")" "addrgenmode none" "no link-local address generated in $c"
    done
    # A router on the LAN advertises a prefix for SLAAC and itself as default router.
    _router_on_parent r "$MV_PARENT"
    out="$BT_TMP/ra-mv"
    _ns_prefix "$r"
    "${NSPFX[@]}" python3 "$BT_LIB_DIR/ra_sender.py" bt-mvra fe80::1 2001:db8:131:99::/64 2001:db8:131:11::/64 --interval 0.2 </dev/null >"$out" 2>"$out.err" &
    pid=$!
    _bt_record pids "$pid"
    wait_until 20 "the first router advertisement" _ra_started "$pid" "$out"
    # Wait until both containers have received several: they reach them (macvlan bridge mode)...
    wait_until 20 "RAs received in $a" _ras_at_least "$a" 3
    wait_until 20 "RAs received in $b" _ras_at_least "$b" 3
    stop_ra_sender "$pid"
    # ...and take nothing from them: no SLAAC or link-local address, no route from an RA.
    assert_eq "" "$(in_ns "$a" ip -6 addr show dev eth0)" "no IPv6 address at all on a network without IPv6"
    assert_eq "" "$(in_ns "$a" ip -6 route show dev eth0)" "no IPv6 route on a network without IPv6"
    assert_eq "2001:db8:131:11::2/64" "$(in_ns "$b" ip -o -6 addr show dev eth0 | awk '{print $4}')" "only Berth's IPv6 address"
    assert_eq "" "$(in_ns "$b" ip -6 route show proto ra)" "no route from an RA"
    assert_match "$(in_ns "$b" ip -6 route show default)" "^default via 2001:db8:131:11::1 dev eth0" "default route via the network's gateway"
}

test_macvlan_failures_half_way_leave_nothing() {
    local a b before
    _mv_parent "$MV_PARENT"
    assert_ok berth_host network create lan --driver macvlan --parent "$MV_PARENT" --subnet 10.131.12.0/24
    new_netns_container a
    new_netns_container b
    connect lan "$a" --ip 10.131.12.7
    # an address clash: refused, nothing in the second container, no record
    before=$(snapshot "$a" "$b")
    assert_berth_error berth_host network connect lan "$b" --ip 10.131.12.7
    assert_contains "$ERR" "already in use" "clash named"
    assert_unchanged "$before" "$a" "$b"
    # the container's own interface of that name is refused, and left alone
    in_ns "$b" ip link add eth0 type ifb
    before=$(snapshot "$a" "$b")
    assert_berth_error berth_host network connect lan "$b"
    assert_contains "$ERR" "interface eth0 already exists" "name clash named"
    assert_unchanged "$before" "$a" "$b"
    assert_eq "ifb" "$(in_ns "$b" ip -d -o link show dev eth0 | grep -o 'ifb' | head -n1)" "the container's own eth0 survives"
    in_ns "$b" ip link del eth0
    # a crash after the macvlan got its address: gc takes both away
    run_capture in_host env BERTH_STATE_DIR="$BT_STATE" BERTH_FAULT=connect:after-address "$BERTH" network connect lan "$b"
    assert_eq 137 "$RC" "killed at the fault point"
    assert_contains "$(ns_links "$b")" eth0 "the crash left the macvlan"
    assert_ok berth_host gc
    assert_contains "$OUT" "rolled back interrupted connect" "gc reports it"
    assert_container_clean "$b"
    assert_eq 1 "$(berth_host endpoints --format json | jq length)" "only the first endpoint is left"
    connect lan "$b"
    ping_ok "$b" 10.131.12.7
}

test_macvlan_disconnect_is_idempotent_and_works_when_the_namespace_is_gone() {
    local a p
    _mv_parent "$MV_PARENT"
    assert_ok berth_host network create lan --driver macvlan --parent "$MV_PARENT" --subnet 10.131.13.0/24
    new_pid_container p
    connect lan "$p"
    kill_container "$p"
    # the container is gone, and its macvlan with it: disconnect by its target releases it
    assert_ok berth_host network disconnect lan "$p"
    assert_eq "[]" "$(berth_host endpoints --format json | jq -c .)" "released"
    assert_berth_error berth_host network disconnect lan "$p"
    assert_contains "$ERR" "has no interface eth0" "a second disconnect says there is nothing"
    # gc releases one whose container died without a disconnect
    new_pid_container p
    connect lan "$p"
    kill_container "$p"
    assert_ok berth_host doctor
    assert_ok berth_host gc
    assert_contains "$OUT" "its macvlan eth0 is gone" "gc names the reason"
    assert_clean
    # CNI: DEL twice, and DEL of a namespace that is gone
    new_netns_container a
    CNI_STDIN=$(cni_conf lan '.driver = "macvlan" | .master = "'"$MV_PARENT"'"')
    cni_ok ADD ctr-a "$(cni_netns "$a")" eth0
    cni_ok DEL ctr-a "$(cni_netns "$a")" eth0
    assert_container_clean "$a"
    cni_ok DEL ctr-a "$(cni_netns "$a")" eth0
    cni_ok ADD ctr-a "$(cni_netns "$a")" eth0
    ip netns del "$a"
    cni_ok DEL ctr-a "$(cni_netns "$a")" eth0
    assert_clean
}

test_macvlan_doctor_reports_a_missing_parent() {
    local a before
    _mv_parent bt-ifb2
    assert_ok berth_host network create gone --driver macvlan --parent bt-ifb2 --subnet 10.131.14.0/24
    assert_ok berth_host doctor
    ip -n "$BT_HOST" link set bt-ifb2 down
    run_capture berth_host doctor
    assert_eq 1 "$RC" "doctor finds a parent that is down: $OUT $ERR"
    assert_contains "$OUT$ERR" "bt-ifb2" "names the parent"
    ip -n "$BT_HOST" link del bt-ifb2
    run_capture berth_host doctor
    assert_eq 1 "$RC" "doctor finds the missing parent: $OUT $ERR"
    assert_contains "$OUT$ERR" "parent interface bt-ifb2 of macvlan network 'gone' is missing" "the finding"
    new_netns_container a
    before=$(snapshot "$a")
    assert_berth_error berth_host network connect gone "$a"
    assert_contains "$ERR" "parent interface bt-ifb2" "connect names the missing parent"
    assert_unchanged "$before" "$a"
    # gc has nothing to delete or recreate for it, and rm works
    assert_ok berth_host gc
    assert_eq "nothing to repair" "$OUT" "gc"
    assert_ok berth_host network rm gone
}

test_macvlan_cli_errors_change_nothing() {
    local a before
    _mv_parent "$MV_PARENT"
    assert_ok berth_host network create lan --driver macvlan --parent "$MV_PARENT" --subnet 10.131.15.0/24
    new_netns_container a
    before=$(snapshot "$a")
    assert_berth_error berth_host network create x --driver macvlan --subnet 10.131.16.0/24
    assert_contains "$ERR" "--parent" "missing parent"
    assert_berth_error berth_host network create x --driver macvlan --parent bt-nope --subnet 10.131.16.0/24
    assert_contains "$ERR" "parent interface bt-nope" "parent missing on the host"
    assert_berth_error berth_host network create x --driver macvlan --parent "$MV_PARENT" --macvlan-mode loud --subnet 10.131.16.0/24
    assert_contains "$ERR" "macvlan mode 'loud'" "unknown mode"
    assert_berth_error berth_host network create x --parent "$MV_PARENT" --subnet 10.131.16.0/24
    assert_contains "$ERR" "--parent" "--parent with the bridge driver"
    assert_berth_error berth_host network create x --macvlan-mode private
    assert_contains "$ERR" "--macvlan-mode" "a mode with the bridge driver"
    assert_berth_error berth_host network create x --driver macvlan --parent "$MV_PARENT"
    assert_contains "$ERR" "--subnet" "no subnet to choose"
    assert_berth_error berth_host network create x --driver macvlan --parent "$MV_PARENT" --subnet 10.131.16.0/24 --dns=true
    assert_contains "$ERR" "name service" "DNS refused"
    assert_berth_error berth_host network create x --driver macvlan --parent "$MV_PARENT" --subnet 10.131.16.0/24 --firewall nftables
    assert_contains "$ERR" "firewall" "firewall refused"
    assert_berth_error berth_host network create x --driver macvlan --parent "$MV_PARENT" --subnet 10.131.16.0/24 --bridge bt-br
    assert_berth_error berth_host network create x --driver macvlan --parent lo --subnet 10.131.16.0/24
    assert_contains "$ERR" "loopback" "loopback parent"
    ip -n "$BT_HOST" link set "$MV_PARENT" down
    assert_berth_error berth_host network create x --driver macvlan --parent "$MV_PARENT" --subnet 10.131.16.0/24
    assert_contains "$ERR" "is down" "parent down"
    ip -n "$BT_HOST" link set "$MV_PARENT" up
    assert_berth_error berth_host network connect lan "$a" --publish 8080:80
    assert_contains "$ERR" "no ports can be published" "published ports refused"
    assert_berth_error berth_host run --network lan --publish 8080:80 -- true
    assert_unchanged "$before" "$a"
}

test_macvlan_cni_plugin() {
    local a b res mac ip_b
    _mv_parent "$MV_PARENT"
    new_netns_container a
    new_netns_container b
    # the reference macvlan plugin's keys: master and mode
    CNI_STDIN=$(cni_conf mvcni '.cniVersion = "1.0.0" | .driver = "macvlan" | .master = "'"$MV_PARENT"'" | .mode = "bridge" | .ipam = {type: "host-local", ranges: [[{subnet: "10.131.17.0/24", gateway: "10.131.17.1"}]], routes: [{dst: "0.0.0.0/0"}]}')
    cni_ok ADD ctr-a "$(cni_netns "$a")" eth0
    res=$OUT
    assert_eq 1 "$(jq '.interfaces | length' <<<"$res")" "one interface: the container's (nothing on the host)"
    assert_eq eth0 "$(jq -r '.interfaces[0].name' <<<"$res")" "its name"
    assert_eq "$(cni_netns "$a")" "$(jq -r '.interfaces[0].sandbox' <<<"$res")" "sandbox"
    assert_eq 0 "$(jq -r '.ips[0].interface' <<<"$res")" "ips point at it"
    mac=$(jq -r '.interfaces[0].mac' <<<"$res")
    assert_contains "$(_mv_link "$a")" "link/ether $mac" "MAC"
    assert_contains "$(_mv_link "$a")" "macvlan mode bridge" "mode"
    assert_eq "$(jq -r '.ips[0].address' <<<"$res")" "$(container_ipv4 "$a")" "address"
    assert_eq '[{"dst":"0.0.0.0/0","gw":"10.131.17.1"}]' "$(jq -c .routes <<<"$res")" "routes"
    assert_eq null "$(jq -r '.dns.nameservers' <<<"$res")" "no name service"
    CNI_STDIN=$(jq -c --argjson r "$res" '. + {prevResult: $r}' <<<"$CNI_STDIN") cni_ok CHECK ctr-a "$(cni_netns "$a")" eth0
    assert_ok berth_host network inspect mvcni
    assert_eq "macvlan $MV_PARENT bridge" "$(jq -r '.[0] | "\(.driver) \(.parent) \(.options.mode)"' <<<"$OUT")" "network made from the config"
    # "parent" is accepted too
    cni_ok ADD ctr-b "$(cni_netns "$b")" eth0
    ip_b=$(jq -r '.ips[0].address | split("/")[0]' <<<"$OUT")
    ping_ok "$a" "$ip_b"
    CNI_STDIN=$(cni_conf mvcni2 '.driver = "macvlan" | .parent = "'"$MV_PARENT"'" | .mode = "private" | .subnet = "10.131.18.0/24"')
    cni_ok ADD ctr-b "$(cni_netns "$b")" eth1
    assert_contains "$(_mv_link "$b" eth1)" "macvlan mode private" "mode from the config"
    # errors: no master, an unknown driver, a master that disagrees with the network
    CNI_STDIN=$(cni_conf mvcni3 '.driver = "macvlan" | .subnet = "10.131.19.0/24"')
    cni_error 7 ADD ctr-b "$(cni_netns "$b")" eth2
    CNI_STDIN=$(cni_conf mvcni3 '.driver = "ipvlan" | .subnet = "10.131.19.0/24"')
    cni_error 2 ADD ctr-b "$(cni_netns "$b")" eth2
    CNI_STDIN=$(cni_conf mvcni '.driver = "macvlan" | .master = "bt-other"')
    cni_run ADD ctr-b "$(cni_netns "$b")" eth2
    assert_ne 0 "$RC" "a master that disagrees with the network"
    assert_contains "$OUT" "parent" "names the parent"
    CNI_STDIN=$(cni_conf mvcni '.driver = "macvlan" | .master = "'"$MV_PARENT"'"')
    cni_ok DEL ctr-a "$(cni_netns "$a")" eth0
    cni_ok DEL ctr-b "$(cni_netns "$b")" eth0
    CNI_STDIN=$(cni_conf mvcni2 '.driver = "macvlan" | .parent = "'"$MV_PARENT"'"')
    cni_ok DEL ctr-b "$(cni_netns "$b")" eth1
    assert_container_clean "$a"
    assert_container_clean "$b"
    assert_clean
}

# The uplink veth as the parent: a real LAN, whose other end (the upstream namespace) is the
# router. The container is a station on it with its own MAC, reaches the router and what lies
# beyond it through its default route, and takes nothing from the router's advertisements.
test_macvlan_on_a_real_lan_reaches_its_router() {
    local a ra
    assert_ok berth_host network create uplan --driver macvlan --parent "$UPLINK_IF" \
        --subnet 203.0.113.0/24 --gateway "$UPSTREAM_IP" --ip-range 203.0.113.64/26
    new_pid_container a
    connect uplan "$a"
    assert_eq 203.0.113.64/24 "$EP_CIDR" "first address of the range"
    ping_ok "$a" "$UPSTREAM_IP"
    ping_ok "$a" "$BEYOND_IP"   # through the default route via the LAN's router
    assert_contains "$(ip -n "$BT_UP" neigh show 203.0.113.64)" "$EP_MAC" "the router knows the container by its own MAC"
    # macvlan's rule: the parent's own host does not reach its macvlans directly
    ping_fails host 203.0.113.64
    # the router advertises a prefix: the container takes no address or route from it
    start_ra_sender ra 2001:db8:131:77::/64
    wait_until 20 "RAs received in the container" _ras_at_least "$a" 3
    stop_ra_sender "$ra"
    assert_eq "" "$(in_ns "$a" ip -6 addr show dev eth0)" "no SLAAC or link-local address"
    assert_eq "" "$(in_ns "$a" ip -6 route show)" "no route from the RA"
    assert_ok berth_host network disconnect uplan "$a"
    assert_ok berth_host network rm uplan
    assert_contains "$(ip -n "$BT_HOST" -o -4 addr show dev "$UPLINK_IF")" "$UPLINK_HOST_IP/24" "the parent keeps its address"
    ping_ok host "$UPSTREAM_IP"
}

# _retired_links C: the retired (bd…) links in container C, without waiting for pending deletions.
_retired_links() { in_ns "$1" ip -o link show | awk -F': ' '{ split($2, n, "@"); print n[1] }' | grep '^bd' || true; }

# A disconnect takes the macvlan out of service (down, renamed) and returns; a detached child
# deletes it. A crash in between is finished by gc.
test_macvlan_detach_returns_before_the_link_is_deleted_and_gc_finishes_a_crash() {
    local a ip
    _mv_parent "$MV_PARENT"
    assert_ok berth_host network create lan --driver macvlan --parent "$MV_PARENT" --subnet 10.131.20.0/24
    new_netns_container a
    connect lan "$a"
    ip=$EP_IP
    # The child stalls two seconds before its RTM_DELLINK: everything below happens meanwhile.
    assert_ok in_host env BERTH_STATE_DIR="$BT_STATE" BERTH_FAULT=disconnect:before-delete@pause "$BERTH" network disconnect lan "$a"
    assert_eq "[]" "$(berth_host endpoints --format json | jq -c .)" "record released when disconnect returns"
    if in_ns "$a" ip link show dev eth0 >/dev/null 2>&1; then fail "eth0 still taken in the container after disconnect"; fi
    assert_contains "$(_retired_links "$a")" bd "the old macvlan waits under its retired name"
    assert_not_contains "$(in_ns "$a" ip -o link show | grep ' bd')" ",UP" "down"
    connect lan "$a" --ip "$ip"
    assert_eq eth0 "$EP_IFNAME" "re-attached at once under the same name"
    await_detaches
    assert_eq "" "$(_retired_links "$a")" "the child deleted the old macvlan"
    ping_ok "$a" "$ip"
    # A crash after the link was retired, before the records went: gc finishes the detach.
    run_capture in_host env BERTH_STATE_DIR="$BT_STATE" BERTH_FAULT=disconnect:after-retire "$BERTH" network disconnect lan "$a"
    assert_eq 137 "$RC" "killed at the fault point"
    assert_contains "$(_retired_links "$a")" bd "retired, not deleted"
    assert_ok berth_host gc
    assert_contains "$OUT" "finished interrupted disconnect" "gc reports it"
    assert_container_clean "$a"
    assert_clean
}
