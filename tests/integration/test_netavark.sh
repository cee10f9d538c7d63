# shellcheck shell=bash
# Berth as Podman's netavark, driven exactly as Podman 4.3 drives it: a link named `netavark` to
# the berth binary, `netavark --config DIR --rootless=false --aardvark-binary=PATH setup|teardown
# /run/netns/NAME` with the network options on stdin, the status block or {"error": …} read
# from stdout. Real namespaces, real traffic, kernel and store state checked afterwards.
# (Captured calls: /work/shared/reference/podman-samples/netavark-*.txt.)

DNSTOOL="$BT_LIB_DIR/dnstool.py"

# nv_link: the `netavark` link to $BERTH in this test's temp dir (Podman finds it through
# helper_binaries_dir); prints its path.
nv_link() {
    local dir="$BT_TMP/nvbin"
    if [[ ! -L "$dir/netavark" ]]; then
        mkdir -p "$dir" "$BT_TMP/nvconfig"
        ln -s "$BERTH" "$dir/netavark" || fail "cannot link netavark"
    fi
    echo "$dir/netavark"
}

# nv_network NAME BRIDGE SUBNET [JQ_FILTER]: a network definition as Podman writes it in
# network_info (the gateway is the subnet's first address), optionally transformed.
nv_network() {
    jq -cn --arg n "$1" --arg b "$2" --arg s "$3" '{
        name: $n, id: ("f91b1157c9fd1bb5707278d52029aa300247a3d988662d57aa3fe731e8356b5" + ($n | length | tostring)),
        driver: "bridge", network_interface: $b, created: "2026-11-29T05:45:23.019743996Z",
        subnets: [{subnet: $s, gateway: ($s | sub("0/[0-9]+$"; "1"))}],
        ipv6_enabled: false, internal: false, dns_enabled: true, ipam_options: {driver: "host-local"}}' | jq -c "${4:-.}"
}

# nv_options CID NAME NETWORK_JSON IFNAME IP [NETWORK_JSON IFNAME IP…]: the options of a setup or
# teardown: the container joins each network on IFNAME with IP (Podman's allocation; "-" none,
# several comma-separated). Podman writes the networks sorted by name.
nv_options() {
    local cid=$1 cname=$2; shift 2
    local doc
    doc=$(jq -cn --arg c "$cid" --arg n "$cname" '{container_id: $c, container_name: $n, networks: {}, network_info: {}}')
    while (($# >= 3)); do
        doc=$(jq -c --argjson net "$1" --arg ifn "$2" --arg ip "$3" '
            .network_info[$net.name] = $net
            | .networks[$net.name] = {static_ips: (if $ip == "-" then [] else ($ip | split(",")) end),
                                      aliases: [.container_id[0:12]], interface_name: $ifn}' <<<"$doc")
        shift 3
    done
    jq -cS . <<<"$doc"   # -S: Go's encoder writes map keys sorted
}

# nv_run COMMAND NETNS_PATH: run the link as Podman does (its arguments, RUST_LOG at Podman's
# default level, this test's state dir) with $NV_STDIN on stdin; sets RC OUT ERR. Never fails.
nv_run() {
    local bin
    bin=$(nv_link)
    local -a envs=(PATH="$PATH" RUST_LOG="${NV_RUST_LOG:-netavark=warn}" RUST_BACKTRACE=1 BERTH_STATE_DIR="$BT_STATE")
    [[ -n "${BERTH_RESOLV_CONF:-}" ]] && envs+=(BERTH_RESOLV_CONF="$BERTH_RESOLV_CONF")
    [[ -n "${BERTH_DNS_BINARY:-}" ]] && envs+=(BERTH_DNS_BINARY="$BERTH_DNS_BINARY")
    # NV_WRAP: a command the link runs under (e.g. taskset), word-split on purpose
    # shellcheck disable=SC2086
    in_host ${NV_WRAP:-} env -i "${envs[@]}" "$bin" --config "$BT_TMP/nvconfig" --rootless=false \
        --aardvark-binary=/usr/lib/podman/aardvark-dns "$@" <<<"${NV_STDIN:-}" >"$BT_TMP/.out" 2>"$BT_TMP/.err"
    RC=$?
    OUT=$(cat "$BT_TMP/.out")
    ERR=$(cat "$BT_TMP/.err")
    return 0
}

# nv_ok COMMAND NETNS_PATH: nv_run, asserting exit 0, nothing on stderr, and for setup a JSON
# object on stdout (teardown prints nothing).
nv_ok() {
    nv_run "$@"
    if [[ $RC -ne 0 ]]; then _show_result "netavark $*"; fail "netavark $1 failed"; fi
    [[ -z "$ERR" ]] || { _show_result "netavark $*"; fail "netavark $1 wrote to stderr"; }
    case "$1" in
        setup|version) jq -e 'type == "object"' >/dev/null 2>&1 <<<"$OUT" || { _show_result "netavark $*"; fail "netavark $1 printed no JSON object"; } ;;
        teardown|update) [[ -z "$OUT" ]] || { _show_result "netavark $*"; fail "netavark $1 printed something on success"; } ;;
    esac
}

# nv_error SUBSTRING COMMAND NETNS_PATH: nv_run, asserting exit 1, {"error": "…SUBSTRING…"} on
# stdout and nothing on stderr.
nv_error() {
    local want=$1; shift
    nv_run "$@"
    if [[ $RC -ne 1 ]]; then _show_result "netavark $*"; fail "netavark $1: expected exit 1, got $RC"; fi
    jq -e '(keys == ["error"]) and (.error | type == "string")' >/dev/null 2>&1 <<<"$OUT" \
        || { _show_result "netavark $*"; fail "netavark $1: stdout is not {\"error\": …}"; }
    assert_contains "$(jq -r .error <<<"$OUT")" "$want" "error message"
    [[ -z "$ERR" ]] || { _show_result "netavark $*"; fail "netavark $1 wrote to stderr"; }
}

# nv_mac NS [IFNAME]: the MAC of IFNAME (default eth0) in a container.
nv_mac() { in_ns "$1" cat "/sys/class/net/${2:-eth0}/address"; }

# nv_assert_network_gone NAME BRIDGE SUBNET: no record, bridge or rule of the network is left.
nv_assert_network_gone() {
    berth_host network ls --format json | jq -e --arg n "$1" 'map(select(.name == $n)) | length == 0' >/dev/null \
        || fail "network $1 is still in Berth's store"
    assert_clean "$2:$3"
}

CID1=c10905e990522dc476e602803a695f308b18b2e89b06b0a7a7f68589e4f16def
CID2=305422da6c69a81b5fcf09e59ebf3a945eef62e5bb3a5f9069e0fc43192161a5

test_netavark_setup_teardown() {
    local c net status
    new_netns_container c
    in_ns "$c" ip link set lo down          # as Podman creates the namespace
    net=$(nv_network example-net podman1 10.89.42.0/24)
    NV_STDIN=$(nv_options "$CID1" web "$net" eth0 10.89.42.4)
    nv_ok setup "/run/netns/$c"
    status=$OUT
    # The status block, as netavark prints it (podman-samples/netavark-setup-web.txt).
    assert_eq '["example-net"]' "$(jq -c keys <<<"$status")" "one block per network"
    assert_eq '["dns.podman"]' "$(jq -c '.["example-net"].dns_search_domains' <<<"$status")" "dns_search_domains"
    assert_eq '["10.89.42.1"]' "$(jq -c '.["example-net"].dns_server_ips' <<<"$status")" "dns_server_ips"
    assert_eq '["eth0"]' "$(jq -c '.["example-net"].interfaces | keys' <<<"$status")" "interfaces"
    assert_eq "$(nv_mac "$c")" "$(jq -r '.["example-net"].interfaces.eth0.mac_address' <<<"$status")" "mac_address is eth0's"
    assert_eq '[{"gateway":"10.89.42.1","ipnet":"10.89.42.4/24"}]' "$(jq -c '.["example-net"].interfaces.eth0.subnets' <<<"$status")" "subnets"
    # The kernel: Podman's bridge name, the address, the default route (metric 100, as netavark).
    assert_eq 10.89.42.4/24 "$(container_ipv4 "$c")" "address in the container"
    assert_eq 10.89.42.1 "$(container_default_gw "$c")" "default route"
    assert_contains "$(in_ns "$c" ip -4 route show default)" "metric 100" "netavark's default route metric"
    assert_contains "$(ip -n "$BT_HOST" -o addr show dev podman1)" "10.89.42.1/24" "bridge podman1 holds the gateway"
    ping_ok "$c" 10.89.42.1
    ping_ok "$c" "$UPSTREAM_IP"
    # netavark brings the container's loopback up (Podman runs no loopback plugin with it)
    assert_contains "$(in_ns "$c" ip -o link show dev lo)" "<LOOPBACK,UP" "lo is up"
    # The store: a Podman-owned network.
    assert_eq 1 "$(berth_host endpoints --format json | jq length)" "one endpoint"
    NV_STDIN=$(nv_options "$CID1" web "$net" eth0 10.89.42.4)
    nv_ok teardown "/run/netns/$c"
    assert_container_clean "$c"
    assert_clean
    # The teardown that detaches a Podman network's last endpoint removes the network.
    nv_assert_network_gone example-net podman1 10.89.42.0/24
    # Teardown is idempotent.
    nv_ok teardown "/run/netns/$c"
}

# Restricted to one CPU (taskset, a cpuset): the second threads of a setup (the store's warm-up,
# libnftables' preload, the store half) start where they can, and a network's first setup, a
# second container's and both teardowns work as with two.
test_netavark_on_one_cpu() {
    local a b net
    command -v taskset >/dev/null 2>&1 || skip_test "taskset not installed (apt-get install util-linux)"
    new_netns_container a
    new_netns_container b
    net=$(nv_network onecpu podman7 10.89.7.0/24)
    NV_WRAP="taskset -c 0" nv_setup "$a" "$CID1" a "$net" eth0 10.89.7.2
    NV_WRAP="taskset -c 0" nv_setup "$b" "$CID2" b "$net" eth0 10.89.7.3
    ping_ok "$a" 10.89.7.3
    ping_ok "$b" 10.89.7.1
    NV_WRAP="taskset -c 0" nv_teardown "$a"
    NV_WRAP="taskset -c 0" nv_teardown "$b"
    nv_assert_network_gone onecpu podman7 10.89.7.0/24
    assert_clean
}

# nv_setup CONTAINER CID NAME NETWORK_JSON IFNAME IP [...]: nv_ok setup with those options;
# keeps them in NV_LAST[CONTAINER] for the teardown.
declare -A NV_LAST
nv_setup() {
    local c=$1; shift
    NV_STDIN=$(nv_options "$@")
    NV_LAST[$c]=$NV_STDIN
    nv_ok setup "/run/netns/$c"
}
nv_teardown() {
    NV_STDIN=${NV_LAST[$1]}
    nv_ok teardown "/run/netns/$1"
}

# nv_resolves NS SERVER NAME ADDR: the name resolves to exactly ADDR (A) through SERVER.
nv_resolves() {
    local q
    q=$(in_ns "$1" python3 "$DNSTOOL" query "$2" "$3" A 2>&1)
    [[ "$(jq -r .rcode <<<"$q")" == NOERROR && "$(jq -r '[.answers[] | select(.type == "A") | .data] | join(",")' <<<"$q")" == "$4" ]] \
        || fail "$3 from $1 via $2: expected $4, got $q"
}

test_netavark_two_containers_ping_each_other() {
    local a b net
    new_netns_container a
    new_netns_container b
    net=$(nv_network pods podman3 10.89.3.0/24)
    nv_setup "$a" "$CID1" a "$net" eth0 10.89.3.2
    nv_setup "$b" "$CID2" b "$net" eth0 10.89.3.3
    ping_ok "$a" 10.89.3.3
    ping_ok "$b" 10.89.3.2
    assert_eq 2 "$(berth_host endpoints --format json | jq length)" "two endpoints"
    nv_teardown "$a"
    ping_fails "$b" 10.89.3.2
    ping_ok "$b" 10.89.3.1
    nv_teardown "$b"
    assert_clean
}

# Podman networks reach each other unless `isolate` is set (netavark's semantics, unlike Berth's
# CLI networks): a container on two networks reaches both; `isolate: true` walls a network off.
test_netavark_two_networks_and_isolation() {
    local a b c d n1 n2 n3
    new_netns_container a; new_netns_container b; new_netns_container c; new_netns_container d
    n1=$(nv_network alpha podman11 10.89.11.0/24)
    n2=$(nv_network beta podman12 10.89.12.0/24)
    n3=$(nv_network gamma podman13 10.89.13.0/24 '.options = {isolate: "true"}')
    # a on alpha and beta (eth0, eth1): one status block per network
    nv_setup "$a" "$CID1" a "$n1" eth0 10.89.11.2 "$n2" eth1 10.89.12.2
    assert_eq '["alpha","beta"]' "$(jq -c keys <<<"$OUT")" "a block per network"
    assert_eq "$(nv_mac "$a" eth1)" "$(jq -r .beta.interfaces.eth1.mac_address <<<"$OUT")" "eth1's MAC"
    assert_eq '[{"gateway":"10.89.12.1","ipnet":"10.89.12.2/24"}]' "$(jq -c .beta.interfaces.eth1.subnets <<<"$OUT")" "beta subnets"
    assert_eq 10.89.11.1 "$(container_default_gw "$a")" "one default route, via the first network"
    nv_setup "$b" "$CID2" b "$n2" eth0 10.89.12.3
    nv_setup "$c" 3333333333333333333333333333333333333333333333333333333333333333 c "$n1" eth0 10.89.11.3
    nv_setup "$d" 4444444444444444444444444444444444444444444444444444444444444444 d "$n3" eth0 10.89.13.2
    ping_ok "$a" 10.89.12.3            # over eth1
    ping_ok "$a" 10.89.11.3            # over eth0
    ping_ok "$b" 10.89.11.3            # beta to alpha: not isolated, routed through the host
    ping_ok "$c" 10.89.12.3
    ping_fails "$d" 10.89.11.3         # gamma is isolated: neither out …
    ping_fails "$c" 10.89.13.2         # … nor in
    ping_ok "$d" 10.89.13.1
    ping_ok "$d" "$UPSTREAM_IP"        # still reaches the outside
    for x in "$a" "$b" "$c" "$d"; do nv_teardown "$x"; done
    assert_clean
}

test_netavark_internal() {
    local a b net
    new_netns_container a; new_netns_container b
    net=$(nv_network inside podman14 10.89.14.0/24 '.internal = true')
    nv_setup "$a" "$CID1" a "$net" eth0 10.89.14.2
    nv_setup "$b" "$CID2" b "$net" eth0 10.89.14.3
    assert_eq "" "$(in_ns "$a" ip -4 route show default)" "no default route on an internal network"
    ping_ok "$a" 10.89.14.3
    ping_fails "$a" "$UPSTREAM_IP"
    # nothing reaches the outside through the host either (a route added by hand)
    in_ns "$a" ip route add default via 10.89.14.1
    ping_fails "$a" "$UPSTREAM_IP"
    nv_teardown "$a"; nv_teardown "$b"
    assert_clean
}

test_netavark_dual_stack() {
    local a b net
    setup_host_ipv6
    new_netns_container a; new_netns_container b
    net=$(nv_network ds podman15 10.89.15.0/24 '.ipv6_enabled = true | .subnets += [{subnet: "fd00:89:15::/64", gateway: "fd00:89:15::1"}]')
    nv_setup "$a" "$CID1" a "$net" eth0 10.89.15.2,fd00:89:15::2
    assert_eq '[{"gateway":"10.89.15.1","ipnet":"10.89.15.2/24"},{"gateway":"fd00:89:15::1","ipnet":"fd00:89:15::2/64"}]' \
        "$(jq -c .ds.interfaces.eth0.subnets <<<"$OUT")" "IPv4 then IPv6"
    assert_eq '["10.89.15.1","fd00:89:15::1"]' "$(jq -c .ds.dns_server_ips <<<"$OUT")" "both gateways serve names"
    nv_setup "$b" "$CID2" b "$net" eth0 10.89.15.3,fd00:89:15::3
    assert_contains "$(in_ns "$a" ip -o -6 addr show dev eth0)" "fd00:89:15::2/64" "IPv6 address in the container"
    assert_contains "$(in_ns "$a" ip -6 route show default)" "via fd00:89:15::1" "IPv6 default route"
    in_ns "$a" ping -6 -n -q -c1 -W2 fd00:89:15::3 >/dev/null || in_ns "$a" ping -6 -n -q -c1 -W2 fd00:89:15::3 >/dev/null \
        || fail "ping6 between the containers failed"
    in_ns "$a" ping -6 -n -q -c1 -W2 "$UPSTREAM_IP6" >/dev/null || in_ns "$a" ping -6 -n -q -c1 -W2 "$UPSTREAM_IP6" >/dev/null \
        || fail "ping6 to the outside failed"
    ping_ok "$b" 10.89.15.2
    nv_teardown "$a"; nv_teardown "$b"
    assert_clean
}

test_netavark_static_mac() {
    local a net
    new_netns_container a
    net=$(nv_network macs podman16 10.89.16.0/24)
    NV_STDIN=$(nv_options "$CID1" a "$net" eth0 10.89.16.2 | jq -c '.networks.macs.static_mac = "02:42:0a:59:10:02"')
    NV_LAST[$a]=$NV_STDIN
    nv_ok setup "/run/netns/$a"
    assert_eq 02:42:0a:59:10:02 "$(nv_mac "$a")" "the static MAC in the container"
    assert_eq 02:42:0a:59:10:02 "$(jq -r .macs.interfaces.eth0.mac_address <<<"$OUT")" "the static MAC in the status block"
    ping_ok "$a" 10.89.16.1
    nv_teardown "$a"
    assert_clean
}

# Published ports, as Podman sends them (-p 8080:80, -p 127.0.0.1:… , ranges, udp, IPv6): real
# requests from the host's namespace reach the container.
test_netavark_ports() {
    local a net host6
    setup_host_ipv6
    new_netns_container a
    net=$(nv_network web podman17 10.89.17.0/24 '.ipv6_enabled = true | .subnets += [{subnet: "fd00:89:17::/64", gateway: "fd00:89:17::1"}]')
    NV_STDIN=$(nv_options "$CID1" web "$net" eth0 10.89.17.2,fd00:89:17::2 | jq -c '.port_mappings = [
        {host_ip: "", container_port: 80, host_port: 8080, range: 1, protocol: "tcp"},
        {host_ip: "", container_port: 53, host_port: 5353, range: 1, protocol: "udp"},
        {host_ip: "", container_port: 7000, host_port: 17000, range: 3, protocol: "tcp,udp"},
        {host_ip: "'"$UPLINK_HOST_IP"'", container_port: 81, host_port: 8081, range: 1, protocol: "tcp"},
        {host_ip: "'"$UPLINK_HOST_IP6"'", container_port: 82, host_port: 8082, range: 1, protocol: "tcp"}]')
    NV_LAST[$a]=$NV_STDIN
    nv_ok setup "/run/netns/$a"
    start_payload_listener "$a" :: 80 web80     # dual-stack socket: both families
    start_payload_listener "$a" 0.0.0.0 53 dns53 udp
    start_payload_listener "$a" 0.0.0.0 7001 r7001
    start_payload_listener "$a" 0.0.0.0 7002 u7002 udp
    start_payload_listener "$a" 0.0.0.0 81 web81
    start_payload_listener "$a" :: 82 web82
    # from the host's namespace and from outside, IPv4
    assert_port_answers host "$UPLINK_HOST_IP" 8080 tcp web80
    assert_port_answers up "$UPLINK_HOST_IP" 8080 tcp web80
    assert_port_answers up "$UPLINK_HOST_IP" 5353 udp dns53
    assert_port_answers up "$UPLINK_HOST_IP" 17001 tcp r7001
    assert_port_answers up "$UPLINK_HOST_IP" 17002 udp u7002
    assert_port_answers up "$UPLINK_HOST_IP" 8081 tcp web81
    # IPv6: "" publishes on both families; an IPv6 host_ip only over IPv6
    assert_port_answers up "$UPLINK_HOST_IP6" 8080 tcp web80
    assert_port_answers up "$UPLINK_HOST_IP6" 8082 tcp web82
    assert_port_silent up "$UPLINK_HOST_IP6" 8081 tcp
    assert_port_silent up "$UPLINK_HOST_IP" 8082 tcp
    assert_port_silent up "$UPLINK_HOST_IP" 17003 tcp    # past the range
    nv_teardown "$a"
    assert_port_silent up "$UPLINK_HOST_IP" 8080 tcp
    assert_clean
}

# DNS as aardvark-dns gives it: on the gateway, names under dns.podman and bare, aliases too.
test_netavark_dns() {
    local a b net
    new_netns_container a; new_netns_container b
    net=$(nv_network named podman18 10.89.18.0/24)
    nv_setup "$a" "$CID1" alpha "$net" eth0 10.89.18.2
    nv_setup "$b" "$CID2" beta "$net" eth0 10.89.18.3
    assert_eq '["dns.podman"]' "$(jq -c .named.dns_search_domains <<<"$OUT")" "search domain"
    assert_eq '["10.89.18.1"]' "$(jq -c .named.dns_server_ips <<<"$OUT")" "name server"
    nv_resolves "$a" 10.89.18.1 beta 10.89.18.3
    nv_resolves "$a" 10.89.18.1 beta.dns.podman 10.89.18.3
    nv_resolves "$b" 10.89.18.1 alpha.dns.podman 10.89.18.2
    nv_resolves "$b" 10.89.18.1 "${CID1:0:12}" 10.89.18.2           # the alias Podman sends
    nv_teardown "$b"
    q=$(in_ns "$a" python3 "$DNSTOOL" query 10.89.18.1 beta.dns.podman A 2>&1)
    assert_eq NXDOMAIN "$(jq -r .rcode <<<"$q")" "a torn-down container's name is gone"
    nv_teardown "$a"
    assert_clean
}

# Failures: {"error": …} on stdout, exit 1, nothing on stderr, and nothing changed.
test_netavark_errors() {
    local a net before
    new_netns_container a
    net=$(nv_network good podman19 10.89.19.0/24)
    before=$(snapshot "$a")
    NV_STDIN=$(nv_options "$CID1" a "$net" eth0 10.89.19.2)
    nv_error "/run/netns/bt-no-such-namespace: no such file" setup /run/netns/bt-no-such-namespace
    nv_error "not a network namespace" setup /proc/self/ns/mnt
    NV_STDIN=$(nv_options "$CID1" a "$(nv_network bad podman19 10.89.19.0/24 '.driver = "ipvlan"')" eth0 10.89.19.2)
    nv_error 'unsupported network driver "ipvlan"' setup "/run/netns/$a"
    NV_STDIN=$(nv_options "$CID1" a "$(nv_network good podman19 10.89.19.0/24 '.options = {vlan: "3"}')" eth0 10.89.19.2)
    nv_error 'unsupported network option "vlan"' setup "/run/netns/$a"
    NV_STDIN='{"container_id": "x", "networks": '
    nv_error "cannot read the network options" setup "/run/netns/$a"
    # the second network fails: the first is not left attached
    NV_STDIN=$(nv_options "$CID1" a "$net" eth0 10.89.19.2 "$(nv_network other podman20 10.89.20.0/24)" eth1 10.89.99.2)
    nv_error "static IP 10.89.99.2 is not in" setup "/run/netns/$a"
    # IPv6 asked for on a host (namespace) whose IPv6 is off
    in_host sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    NV_STDIN=$(nv_options "$CID1" a "$(nv_network six podman21 10.89.21.0/24 '.ipv6_enabled = true | .subnets += [{subnet: "fd00:89:21::/64", gateway: "fd00:89:21::1"}]')" eth0 10.89.21.2,fd00:89:21::2)
    nv_error "IPv6 is disabled on this host" setup "/run/netns/$a"
    in_host sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0
    assert_unchanged "$before" "$a"
    # rootless is refused; an unknown command is an error too
    NV_STDIN=$(nv_options "$CID1" a "$net" eth0 10.89.19.2)
    run_capture in_host env -i BERTH_STATE_DIR="$BT_STATE" "$(nv_link)" --rootless=true setup "/run/netns/$a" <<<"$NV_STDIN"
    assert_eq "1" "$RC" "rootless exit status"
    assert_contains "$(jq -r .error <<<"$OUT")" "rootless" "rootless error"
    assert_eq "" "$ERR" "stderr"
    assert_unchanged "$before" "$a"
}

# A namespace that is already gone (the container died): teardown still releases everything.
test_netavark_teardown_without_namespace() {
    local a net
    new_netns_container a
    net=$(nv_network gone podman22 10.89.22.0/24)
    nv_setup "$a" "$CID1" a "$net" eth0 10.89.22.2
    ip netns del "$a"
    nv_teardown "$a"
    assert_clean
    # and for a network Berth never saw
    NV_STDIN=$(nv_options "$CID2" b "$(nv_network never podman23 10.89.23.0/24)" eth0 10.89.23.2)
    nv_ok teardown /run/netns/bt-never-existed
}

test_netavark_version() {
    nv_ok version
    jq -e 'keys == ["build_time", "commit", "target", "version"] and (.version | test("^[0-9]+\\.[0-9]+\\.[0-9]+$"))' >/dev/null <<<"$OUT" \
        || fail "version JSON: $OUT"
    local v
    v=$(jq -r .version <<<"$OUT")
    nv_run --version
    assert_eq "0:netavark $v:" "$RC:$OUT:$ERR" "--version"
    # notes are let out only at info or debug (Podman's --log-level)
}

# nv_macvlan NAME PARENT SUBNET GATEWAY [JQ_FILTER]: a macvlan network as Podman defines it
# (`podman network create -d macvlan -o parent=PARENT`): no DNS.
nv_macvlan() {
    jq -cn --arg n "$1" --arg p "$2" --arg s "$3" --arg g "$4" '{
        name: $n, id: ("aa" + ($n | length | tostring)), driver: "macvlan", network_interface: $p,
        created: "2026-11-29T05:45:23.019743996Z", subnets: [{subnet: $s, gateway: $g}],
        ipv6_enabled: false, internal: false, dns_enabled: false, ipam_options: {driver: "host-local"}}' | jq -c "${5:-.}"
}

# macvlan: containers on the parent's LAN with their own MACs, nothing on the host; `mode`
# reaches the kernel; an empty network_interface means the interface of the host's default route.
test_netavark_macvlan() {
    local a b c d net links_before
    ip -n "$BT_HOST" link add bt-ifb0 type ifb 2>/dev/null || skip_test "no ifb driver for a stand-in LAN parent"
    ip -n "$BT_HOST" link set bt-ifb0 up
    links_before=$(ip -n "$BT_HOST" -o link show | awk -F': ' '{ split($2, n, "@"); print n[1] }' | sort)
    new_netns_container a; new_netns_container b
    net=$(nv_macvlan lan bt-ifb0 10.131.0.0/24 10.131.0.254)
    nv_setup "$a" "$CID1" a "$net" eth0 10.131.0.2
    assert_eq '[]' "$(jq -c .lan.dns_search_domains <<<"$OUT")" "no search domain"
    assert_eq '[]' "$(jq -c .lan.dns_server_ips <<<"$OUT")" "no name server"
    assert_eq "$(nv_mac "$a")" "$(jq -r .lan.interfaces.eth0.mac_address <<<"$OUT")" "MAC"
    assert_eq '[{"gateway":"10.131.0.254","ipnet":"10.131.0.2/24"}]' "$(jq -c .lan.interfaces.eth0.subnets <<<"$OUT")" "subnets"
    nv_setup "$b" "$CID2" b "$net" eth0 10.131.0.3
    assert_contains "$(in_ns "$a" ip -d -o link show dev eth0)" "macvlan mode bridge" "macvlan in the container"
    assert_eq 10.131.0.254 "$(container_default_gw "$a")" "default route via the LAN's router"
    ping_ok "$a" 10.131.0.3
    assert_eq "$links_before" "$(ip -n "$BT_HOST" -o link show | awk -F': ' '{ split($2, n, "@"); print n[1] }' | sort)" "nothing on the host"
    assert_eq "" "$(nft_berth)" "no firewall rules"
    nv_teardown "$a"; nv_teardown "$b"
    assert_container_clean "$a"
    assert_clean

    # private mode keeps containers of one parent apart
    new_netns_container c; new_netns_container d
    net=$(nv_macvlan priv bt-ifb0 10.132.0.0/24 10.132.0.254 '.options = {mode: "private"}')
    nv_setup "$c" "$CID1" c "$net" eth0 10.132.0.2
    nv_setup "$d" "$CID2" d "$net" eth0 10.132.0.3
    assert_contains "$(in_ns "$c" ip -d -o link show dev eth0)" "macvlan mode private" "private mode in the kernel"
    ping_fails "$c" 10.132.0.3
    nv_teardown "$c"; nv_teardown "$d"
    assert_clean
}

# No network_interface: the parent is the interface of the host's IPv4 default route (here the
# uplink to the upstream namespace), so a container on its subnet talks to the upstream directly.
test_netavark_macvlan_default_parent_internal() {
    local a b net
    new_netns_container a
    net=$(nv_macvlan uplan "" 203.0.113.0/24 "$UPSTREAM_IP")
    nv_setup "$a" "$CID1" a "$net" eth0 203.0.113.50
    assert_contains "$(in_ns "$a" ip -d -o link show dev eth0)" "macvlan" "macvlan in the container"
    ping_ok "$a" "$UPSTREAM_IP"
    ping_ok "$a" "$BEYOND_IP"          # through the upstream router, the default route
    nv_teardown "$a"
    assert_container_clean "$a"
    # internal: no default route
    new_netns_container b
    net=$(nv_macvlan upint "" 203.0.113.0/24 "$UPSTREAM_IP" '.internal = true')
    nv_setup "$b" "$CID2" b "$net" eth0 203.0.113.51
    assert_eq "" "$(in_ns "$b" ip -4 route show default)" "no default route on an internal macvlan network"
    ping_ok "$b" "$UPSTREAM_IP"
    ping_fails "$b" "$BEYOND_IP"
    nv_teardown "$b"
    assert_clean
}

# stderr stays empty at Podman's default level (it folds stderr into its own output); at
# RUST_LOG=info or debug (podman --log-level) Berth's notes come through.
test_netavark_log_levels() {
    local a b net
    new_netns_container a; new_netns_container b
    net=$(nv_network notes podman24 10.89.24.0/24)
    # a container name that is no DNS name: the engine notes that it is not registered
    nv_setup "$a" "$CID1" "web_1!" "$net" eth0 10.89.24.2     # nv_ok: stderr empty
    NV_STDIN=$(nv_options "$CID2" "db_1!" "$net" eth0 10.89.24.3 | jq -c '.networks.notes.aliases += ["bad alias!", "db"]')
    NV_LAST[$b]=$NV_STDIN
    NV_RUST_LOG=info nv_run setup "/run/netns/$b"
    assert_eq 0 "$RC" "setup at info"
    assert_contains "$ERR" "note:" "notes at RUST_LOG=info"
    assert_contains "$ERR" 'alias "bad alias!" is not a DNS name' "the alias that is no DNS name is noted, not fatal"
    jq -e .notes >/dev/null <<<"$OUT" || fail "stdout is still the status block alone: $OUT"
    nv_resolves "$a" 10.89.24.1 db.dns.podman 10.89.24.3
    nv_teardown "$a"; nv_teardown "$b"
    # update: addresses are checked before anything changes
    NV_STDIN="" nv_error 'DNS server "banana" is not an IP address' update notes --network-dns-servers 1.1.1.1,banana
    assert_clean
}

# Podman starts containers in parallel: setups racing on one network Berth does not know yet all
# succeed (one creates it), and teardowns racing each other remove it once, at the end.
test_netavark_parallel_setups_and_teardowns() {
    local -a cs=() pids=()
    local i c net
    net=$(nv_network busy podman25 10.89.25.0/24)
    for i in 1 2 3 4 5 6; do new_netns_container c; cs+=("$c"); done
    for i in "${!cs[@]}"; do
        c=${cs[$i]}
        NV_LAST[$c]=$(nv_options "$(printf '%064d' "$i")" "p$i" "$net" eth0 "10.89.25.$((i + 10))")
        ( NV_STDIN=${NV_LAST[$c]}; nv_run setup "/run/netns/$c"
          printf '%s\n%s\n%s\n' "$RC" "$OUT" "$ERR" >"$BT_TMP/par-$i" ) &
        pids+=($!)
    done
    for i in "${pids[@]}"; do wait "$i"; done
    for i in "${!cs[@]}"; do
        assert_eq 0 "$(head -n1 "$BT_TMP/par-$i")" "parallel setup $i: $(cat "$BT_TMP/par-$i")"
        assert_eq "10.89.25.$((i + 10))/24" "$(container_ipv4 "${cs[$i]}")" "address of container $i"
    done
    assert_eq 6 "$(berth_host endpoints --format json | jq length)" "six endpoints"
    ping_ok "${cs[0]}" 10.89.25.15
    pids=()
    for i in "${!cs[@]}"; do
        c=${cs[$i]}
        ( NV_STDIN=${NV_LAST[$c]}; nv_run teardown "/run/netns/$c"; echo "$RC:$OUT:$ERR" >"$BT_TMP/part-$i" ) &
        pids+=($!)
    done
    for i in "${pids[@]}"; do wait "$i"; done
    for i in "${!cs[@]}"; do assert_eq "0::" "$(cat "$BT_TMP/part-$i")" "parallel teardown $i"; done
    assert_clean
    nv_assert_network_gone busy podman25 10.89.25.0/24
}

# An IPv6-only network (podman network create --ipv6 --subnet fd00:…/64 and no IPv4 subnet).
test_netavark_ipv6_only() {
    local a b net
    setup_host_ipv6
    new_netns_container a; new_netns_container b
    net=$(nv_network six podman26 10.0.0.0/8 '.ipv6_enabled = true | .subnets = [{subnet: "fd00:89:26::/64", gateway: "fd00:89:26::1"}]')
    nv_setup "$a" "$CID1" a "$net" eth0 fd00:89:26::2
    assert_eq '[{"gateway":"fd00:89:26::1","ipnet":"fd00:89:26::2/64"}]' "$(jq -c .six.interfaces.eth0.subnets <<<"$OUT")" "only IPv6"
    assert_eq '["fd00:89:26::1"]' "$(jq -c .six.dns_server_ips <<<"$OUT")" "the IPv6 gateway serves names"
    nv_setup "$b" "$CID2" b "$net" eth0 fd00:89:26::3
    assert_eq "" "$(container_ipv4 "$a")" "no IPv4 address"
    in_ns "$a" ping -6 -n -q -c1 -W2 fd00:89:26::3 >/dev/null || in_ns "$a" ping -6 -n -q -c1 -W2 fd00:89:26::3 >/dev/null \
        || fail "ping6 between the containers failed"
    q=$(in_ns "$a" python3 "$DNSTOOL" query fd00:89:26::1 b.dns.podman AAAA 2>&1)
    assert_eq "fd00:89:26::3" "$(jq -r '[.answers[] | select(.type == "AAAA") | .data] | join(",")' <<<"$q")" "AAAA via the IPv6 gateway: $q"
    nv_teardown "$a"; nv_teardown "$b"
    assert_clean
}
