# shellcheck shell=bash
# The seed document's scenario, automated: a process without a network gets eth0 with an address
# in the subnet and a default route via the gateway; it pings the gateway, the host pings it, and
# two containers ping each other. Both container kinds: a named netns and a PID (unshare -n).

# _check_endpoint CONTAINER: the endpoint JSON in $EP matches what is really in the container
# and on the host.
_check_endpoint() {
    local c=$1 key
    for key in id network name ifname hostIfname ipv4 gateway mac netns target state; do
        jq -e --arg k "$key" 'has($k)' >/dev/null <<<"$EP" || fail "endpoint JSON lacks \"$key\": $EP"
    done
    assert_eq eth0 "$EP_IFNAME" "default container ifname"
    assert_match "$EP_HOSTIF" '^bv' "host veth name starts with bv"
    (( ${#EP_HOSTIF} <= 15 )) || fail "host ifname too long: $EP_HOSTIF"
    in_subnet "$EP_IP" "$NET_SUBNET" || fail "endpoint address $EP_CIDR not in $NET_SUBNET"
    assert_eq "${NET_SUBNET#*/}" "${EP_CIDR#*/}" "endpoint prefix length = subnet prefix length"
    assert_ne "$NET_GW" "$EP_IP" "endpoint got the gateway address"
    assert_eq "$NET_GW" "$EP_GW" "endpoint gateway"

    # inside the container
    assert_ok in_ns "$c" ip -o link show dev eth0
    assert_contains "$OUT" "UP" "eth0 is up"
    local mac
    # (not /sys/class/net: with nsenter --net, sysfs still shows the netns it was mounted for)
    mac=$(in_ns "$c" ip -o link show dev eth0 | grep -oE 'link/ether [0-9a-f:]+' | awk '{print $2}')
    assert_eq "${EP_MAC,,}" "${mac,,}" "MAC reported = MAC in the container"
    assert_eq "$EP_CIDR" "$(container_ipv4 "$c")" "eth0 address"
    assert_eq "$NET_GW" "$(container_default_gw "$c")" "default route via the gateway"
    # IPv4-only networks: eth0 comes up without an IPv6 link-local address
    assert_eq "" "$(in_ns "$c" ip -6 -o addr show dev eth0)" "no IPv6 address on eth0"
    assert_contains "$(in_ns "$c" ip -d -o link show dev eth0)" "addrgenmode none" "eth0 generates no IPv6 address"

    # on the host: veth enslaved to the bridge, up
    assert_ok ip -n "$BT_HOST" -o link show dev "$EP_HOSTIF"
    assert_contains "$OUT" "master $NET_BRIDGE" "host veth is a port of the bridge"
    assert_contains "$OUT" "UP" "host veth is up"
    assert_eq "" "$(ip -n "$BT_HOST" -6 -o addr show dev "$EP_HOSTIF")" "no IPv6 address on the host veth"
}

# _check_bridge: the bridge exists in the host netns, is a bridge, is up and has the gateway.
_check_bridge() {
    assert_ok ip -n "$BT_HOST" -d -o link show dev "$NET_BRIDGE"
    assert_contains "$OUT" " bridge " "$NET_BRIDGE is a bridge device"
    assert_contains "$OUT" "UP" "$NET_BRIDGE is up"
    assert_ok ip -n "$BT_HOST" -o -4 addr show dev "$NET_BRIDGE"
    assert_contains "$OUT" "inet $NET_GW/${NET_SUBNET#*/}" "bridge has the gateway address"
}

_seed_scenario() {
    local kind=$1 c1 c2 ip1 ip2
    create_net seednet
    _check_bridge
    in_subnet "$NET_GW" "$NET_SUBNET" || fail "gateway $NET_GW outside $NET_SUBNET"

    new_container "$kind" c1
    assert_container_clean "$c1"
    connect seednet "$c1"
    _check_endpoint "$c1"
    ip1=$EP_IP

    ping_ok "$c1" "$NET_GW"          # container -> gateway
    ping_ok host "$ip1"              # host -> container

    new_container "$kind" c2
    connect seednet "$c2" --name second
    _check_endpoint "$c2"
    ip2=$EP_IP
    assert_ne "$ip1" "$ip2" "two containers, two addresses"
    assert_eq second "$(jq -r .name <<<"$EP")" "endpoint --name"

    ping_ok "$c1" "$ip2"             # container <-> container
    ping_ok "$c2" "$ip1"
    ping_ok host "$ip2"

    # the state is visible to later berth processes
    assert_ok berth_host endpoints --format json
    assert_eq 2 "$(jq length <<<"$OUT")" "berth endpoints count"
    assert_ok berth_host endpoints --network seednet --format json
    assert_eq 2 "$(jq length <<<"$OUT")" "berth endpoints --network count"
    assert_ok berth_host network ls --format json
    assert_eq 2 "$(jq -r '.[] | select(.name == "seednet") | .endpoints' <<<"$OUT")" "network ls endpoint count"
    assert_ok berth_host network inspect seednet
    assert_eq 2 "$(jq '.[0].endpoints | length' <<<"$OUT")" "inspect endpoints"
    assert_eq "$(printf '%s\n' "$ip1" "$ip2" | sort)" \
        "$(jq -r '.[0].endpoints[].ipv4' <<<"$OUT" | cut -d/ -f1 | sort)" "inspect endpoint addresses"
    assert_ok berth_host endpoints
    assert_ok berth_host network ls
    assert_contains "$OUT" seednet "network ls table"
}

test_seed_named_netns() { _seed_scenario netns; }

test_seed_pid() { _seed_scenario pid; }

test_seed_mixed_kinds() {
    local a b ipa ipb
    create_net mixed --subnet 10.123.7.0/24
    new_netns_container a
    new_pid_container b
    connect mixed "$a"; ipa=$EP_IP
    connect mixed "$b"; ipb=$EP_IP
    ping_ok "$a" "$ipb"
    ping_ok "$b" "$ipa"
    # TARGET given as a path: /run/netns/NAME and /proc/PID/ns/net
    local c d
    new_netns_container c
    new_pid_container d
    connect mixed "/run/netns/$c"
    ping_ok "$c" "$ipa"
    connect mixed "/proc/$d/ns/net"
    ping_ok "$d" "$ipb"
    assert_eq 4 "$(berth_host endpoints --format json | jq length)" "four endpoints"
}

test_explicit_subnet_and_gateway() {
    local c
    create_net explicit --subnet 10.123.5.0/24 --gateway 10.123.5.254 --ip-range 10.123.5.128/25
    assert_eq 10.123.5.0/24 "$NET_SUBNET" "subnet"
    assert_eq 10.123.5.254 "$NET_GW" "gateway"
    assert_eq 10.123.5.128/25 "$(net_field explicit ipRange)" "ipRange"
    _check_bridge
    new_netns_container c
    connect explicit "$c"
    in_subnet "$EP_IP" 10.123.5.128/25 || fail "address $EP_IP not from --ip-range 10.123.5.128/25"
    assert_eq 10.123.5.254 "$(container_default_gw "$c")" "default route via --gateway"
    ping_ok "$c" 10.123.5.254
}

test_options_mtu_bridge_mac_ip_ifname_labels() {
    local c
    create_net opts --subnet 10.123.9.0/24 --bridge btbr9 --mtu 1400 --label team=net --label tier=test
    assert_eq btbr9 "$NET_BRIDGE" "--bridge"
    assert_ok berth_host network inspect opts
    assert_eq 1400 "$(jq -r '.[0].mtu' <<<"$OUT")" "inspect mtu"
    assert_eq net "$(jq -r '.[0].labels.team' <<<"$OUT")" "label team"
    assert_eq test "$(jq -r '.[0].labels.tier' <<<"$OUT")" "label tier"
    assert_eq bridge "$(jq -r '.[0].driver' <<<"$OUT")" "driver"
    assert_ok ip -n "$BT_HOST" -o link show dev btbr9
    assert_contains "$OUT" "mtu 1400" "bridge mtu"

    new_pid_container c
    connect opts "$c" --ifname net1 --ip 10.123.9.77 --mac 02:42:0a:7b:09:4d
    assert_eq net1 "$EP_IFNAME" "--ifname"
    assert_eq 10.123.9.77/24 "$EP_CIDR" "--ip"
    assert_eq 02:42:0a:7b:09:4d "${EP_MAC,,}" "--mac"
    assert_ok in_ns "$c" ip -o link show dev net1
    assert_contains "$OUT" "mtu 1400" "container interface mtu"
    assert_contains "${OUT,,}" "02:42:0a:7b:09:4d" "container MAC"
    assert_fails in_ns "$c" ip link show dev eth0
    assert_eq 10.123.9.77/24 "$(container_ipv4 "$c" net1)" "net1 address"
    ping_ok host 10.123.9.77
    ping_ok "$c" "$NET_GW"

    # a 15-byte ifname is legal
    local d
    new_netns_container d
    connect opts "$d" --ifname abcdefghijklmno
    assert_eq abcdefghijklmno "$EP_IFNAME" "15-byte ifname"
    ping_ok "$d" "$NET_GW"
    assert_ok berth_host network disconnect opts "$d" --ifname abcdefghijklmno
    assert_container_clean "$d"
}

# Below IPv6's minimum MTU (1280) the kernel keeps no IPv6 state on a link and refuses IPv6
# settings for it: such a network still attaches and carries traffic.
test_mtu_below_ipv6_minimum() {
    local c
    create_net small --subnet 10.123.11.0/24 --mtu 1200
    new_netns_container c
    connect small "$c"
    assert_contains "$(in_ns "$c" ip -o link show dev eth0)" "mtu 1200" "container mtu"
    ping_ok "$c" "$NET_GW"
    ping_ok host "$EP_IP"
    assert_ok berth_host network disconnect small "$c"
    assert_container_clean "$c"
}

test_container_on_two_networks() {
    local c ip1 ip2 gw1 gw2
    create_net neta --subnet 10.123.10.0/24; gw1=$NET_GW
    create_net netb --subnet 10.123.11.0/24; gw2=$NET_GW
    new_netns_container c
    connect neta "$c"; ip1=$EP_IP
    connect netb "$c" --ifname eth1; ip2=$EP_IP
    assert_eq "$ip1/24" "$(container_ipv4 "$c" eth0)" "eth0 on neta"
    assert_eq "$ip2/24" "$(container_ipv4 "$c" eth1)" "eth1 on netb"
    ping_ok "$c" "$gw1"
    ping_ok "$c" "$gw2"
    assert_ok berth_host network disconnect netb "$c" --ifname eth1
    assert_fails in_ns "$c" ip link show dev eth1
    assert_ok in_ns "$c" ip link show dev eth0
    ping_ok "$c" "$gw1"
}
