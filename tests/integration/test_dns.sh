# shellcheck shell=bash
# Container DNS (issue 15, docs/dns.md): berth-dns answers a network's names on its gateway,
# forwards the rest, refuses strangers, and loses nothing while containers come and go.
#
# Queries are real: dig (bind9-dnsutils) and tests/integration/dnstool.py (a scripted client
# that sends exactly one query and prints the parsed reply as JSON, a test upstream that logs
# every query it receives, a churn load generator, an idle-TCP holder and a garbage sender).
# Upstreams live in the upstream namespace (bt-up-<id>) on documentation addresses: 203.0.113.1
# (the host's resolv.conf, $BERTH_RESOLV_CONF, names it) and 198.51.100.11-19 on its lo.
# berth-dns itself is started by `network create` and ended by teardown (lib.sh, by its pidfile).

DNSTOOL="$BT_LIB_DIR/dnstool.py"

# ---------------------------------------------------------------------------------------------
# helpers

# dns_q NS SERVER NAME [TYPE] [dnstool query options...]: one query (one attempt) from NS; sets
# Q (the reply as JSON) and Q_RC (rcode, or TIMEOUT / ICMP).
dns_q() {
    local ns=$1 server=$2 name=$3 type=${4:-A}
    shift 3; (($#)) && shift
    if [[ -n "${DNSQ_NS:-}" && "$ns" == "$DNSQ_NS" ]]; then
        printf '%q ' "$server" "$name" "$type" "$@" >&"${DNSQ[1]}"; echo >&"${DNSQ[1]}"
        read -r -t 20 Q <&"${DNSQ[0]}" || fail "the batch query client in $ns did not answer"
    else
        Q=$(in_ns_any "$ns" python3 "$DNSTOOL" query "$server" "$name" "$type" "$@" 2>&1)
    fi
    Q_RC=$(jq -r '.rcode' <<<"$Q" 2>/dev/null) || fail "dnstool printed no JSON: $Q"
}

# dnsq_open NS: from now on dns_q from NS goes through one long-lived `dnstool.py batch` process
# (a coprocess) instead of a Python start-up per query: for tests that ask many questions.
dnsq_open() {
    _ns_prefix "$1"
    coproc DNSQ { exec "${NSPFX[@]}" python3 "$DNSTOOL" batch 2>&1; }
    _bt_record pids "$DNSQ_PID"
    DNSQ_NS=$1
}

# q_addrs: the A/AAAA data of the last reply's answers, sorted, one per line.
q_addrs() { jq -r '.answers[] | select(.type == "A" or .type == "AAAA") | .data' <<<"$Q" | sort; }

# assert_resolves NS SERVER NAME ADDR...: NOERROR and exactly these addresses (any order).
assert_resolves() {
    local ns=$1 server=$2 name=$3 want got
    shift 3
    dns_q "$ns" "$server" "$name"
    want=$(printf '%s\n' "$@" | sort)
    got=$(q_addrs)
    [[ "$Q_RC" == NOERROR && "$got" == "$want" ]] \
        || fail "$name from $ns via $server: expected NOERROR [$(echo $want)], got $Q_RC [$(echo $got)]: $Q"
}

# assert_rcode NS SERVER NAME TYPE RCODE [query options...]
assert_rcode() {
    local ns=$1 server=$2 name=$3 type=$4 want=$5
    shift 5
    dns_q "$ns" "$server" "$name" "$type" "$@"
    [[ "$Q_RC" == "$want" ]] || fail "$name $type from $ns via $server: expected $want, got $Q_RC: $Q"
}

# assert_soa_authority ZONE[|ZONE...]: the last reply has no answers and the SOA of (one of) the
# zone(s) in authority.
assert_soa_authority() {
    assert_eq 0 "$(jq '.answers | length' <<<"$Q")" "answers in a negative reply"
    assert_eq SOA "$(jq -r '.authority[0].type' <<<"$Q")" "authority section of a negative reply: $Q"
    local owner
    owner=$(jq -r '.authority[0].name | ascii_downcase' <<<"$Q")
    [[ "|${1,,}|" == *"|${owner%.}|"* ]] || fail "SOA owner $owner, expected one of $1: $Q"
}

# upstream_addr ADDR: make ADDR an address of the upstream namespace (on its lo, /32), once.
# The upstream namespace's ICMP rate limit is lifted (a sysctl of that throwaway namespace only),
# so every query to an address with no listener gets its port-unreachable at once.
upstream_addr() {
    in_up sysctl -qw net.ipv4.icmp_ratelimit=0 2>/dev/null
    [[ "$1" == "$UPSTREAM_IP" ]] && return 0
    ip -n "$BT_UP" -o addr show dev lo | grep -q " $1/" || ip -n "$BT_UP" addr add "$1/32" dev lo || fail "add $1"
}

# start_dns_upstream ADDR MODE [NAME=ADDR...]: a test upstream (dnstool.py upstream) in the upstream
# namespace on ADDR:53 (UDP and TCP); its query log is $BT_TMP/upstream-ADDR.log.
start_dns_upstream() {
    local addr=$1 mode=$2 r
    shift 2
    local -a recs=()
    for r in "$@"; do recs+=(--record "$r"); done
    upstream_addr "$addr"
    local file="$BT_TMP/upstream-$addr.log"
    : >"$file"
    _ns_prefix up
    "${NSPFX[@]}" python3 "$DNSTOOL" upstream --listen "$addr" --log "$file" --mode "$mode" \
        --ready "$file.ready" "${recs[@]}" </dev/null >/dev/null 2>"$file.err" &
    _await_listener "$!" "$file" "DNS upstream on $addr ($mode)"
}

# upstream_log ADDR: the queries the upstream on ADDR received ("PROTO NAME TYPE" lines).
upstream_log() { cat "$BT_TMP/upstream-$1.log"; }

# set_resolv_conf ADDR...: rewrite the host's resolv.conf (as an editor does: new file, rename).
set_resolv_conf() {
    local a
    { echo "# written by test_dns.sh"; for a in "$@"; do echo "nameserver $a"; done; echo "options timeout:1"; } \
        >"$BERTH_RESOLV_CONF.new"
    mv -f "$BERTH_RESOLV_CONF.new" "$BERTH_RESOLV_CONF"
}

# ctr NETWORK NAME [connect options...]: a netns container attached as NAME; sets C (its netns)
# and C_IP.
ctr() {
    local net=$1 name=$2
    shift 2
    new_netns_container C
    connect "$net" "$C" --name "$name" "$@"
    C_IP=$EP_IP
}

# dns_listening ADDR [udp|tcp]: something listens on ADDR:53 in the host netns.
dns_listening() {
    local flag=-Hlnu
    [[ "${2:-udp}" == tcp ]] && flag=-Hlnt
    [[ -n "$(in_host ss "$flag" "src $1:53" 2>/dev/null)" ]]
}

# dns_pid: berth-dns's pid (lib.sh berth_dns_pid), failing the test when it is not running.
dns_pid() { berth_dns_pid || fail "berth-dns is not running (pidfile $BT_STATE/dns/berth-dns.pid: $(cat "$BT_STATE/dns/berth-dns.pid" 2>&1))"; }

dns_gone() { ! berth_dns_pid >/dev/null; }

need_dig() { command -v dig >/dev/null 2>&1 || skip_test "dig not installed (apt-get install bind9-dnsutils)"; }

# rev4 ADDR: the in-addr.arpa name of an IPv4 address.
rev4() { local IFS=.; set -- $1; echo "$4.$3.$2.$1.in-addr.arpa"; }

# ---------------------------------------------------------------------------------------------
# names

test_dns_names_aliases_case_ttl() {
    # Proves: NAME, NAME.NETWORK, NAME.DOMAIN and every alias resolve to the container's address,
    # names compare without case while the reply echoes the question's spelling, TTL is 0, and
    # connect's JSON names the gateway and the search domain.
    need_dig
    create_net app
    local gw=$NET_GW web web_ip db db_ip
    ctr app web --alias www --alias frontend; web=$C; web_ip=$C_IP
    assert_eq "$gw" "$(jq -r '.dns.nameservers[0]' <<<"$EP")" "connect JSON: dns.nameservers"
    assert_eq berth.internal "$(jq -r '.dns.search[0]' <<<"$EP")" "connect JSON: dns.search"
    ctr app db; db=$C; db_ip=$C_IP
    local n
    for n in db db.app db.berth.internal; do assert_resolves "$web" "$gw" "$n" "$db_ip"; done
    for n in web www frontend www.app frontend.berth.internal; do assert_resolves "$db" "$gw" "$n" "$web_ip"; done
    # case: matched without it, echoed as asked, in the question and the answer's owner
    assert_resolves "$web" "$gw" "dB.ApP" "$db_ip"
    assert_eq "dB.ApP." "$(jq -r '.question.name' <<<"$Q")" "question echoed with its case"
    assert_eq "dB.ApP." "$(jq -r '.answers[0].name' <<<"$Q")" "answer owner echoed with its case"
    assert_resolves "$web" "$gw" "DB.BERTH.INTERNAL" "$db_ip"
    assert_eq 0 "$(jq '.answers[0].ttl' <<<"$Q")" "TTL"
    # and with dig, as a user would
    assert_eq "$db_ip" "$(in_ns "$web" dig +short +tries=1 +time=2 "@$gw" db)" "dig +short db"
    assert_match "$(in_ns "$web" dig +noall +answer +tries=1 +time=2 "@$gw" Www.App)" "^Www\.App\.[[:space:]]+0[[:space:]]+IN[[:space:]]+A[[:space:]]+$web_ip\$" "dig answer line (case, TTL 0)"
    # a network with its own domain
    create_net corp --dns-domain corp.test
    local a
    ctr corp alpha; a=$C
    ctr corp beta
    assert_eq corp.test "$(jq -r '.dns.search[0]' <<<"$EP")" "connect JSON: search of a --dns-domain network"
    assert_resolves "$a" "$NET_GW" beta.corp.test "$C_IP"
    assert_resolves "$a" "$NET_GW" beta.corp "$C_IP"
}

test_dns_shared_alias_rotates() {
    # Proves: several containers sharing an alias → every address in each answer, in an order
    # that varies from query to query.
    create_net pool
    local gw=$NET_GW client i want=() orders=""
    ctr pool client; client=$C
    for i in 1 2 3; do ctr pool "member$i" --alias svc; want+=("$C_IP"); done
    for i in $(seq 12); do
        assert_resolves "$client" "$gw" svc "${want[@]}"
        orders+="$(jq -r '[.answers[].data] | join(",")' <<<"$Q")"$'\n'
    done
    local distinct
    distinct=$(sort -u <<<"${orders%$'\n'}" | wc -l)
    ((distinct >= 2)) || fail "12 answers for a shared alias all came in one order: $(head -1 <<<"$orders")"
}

test_dns_ptr_answered_never_forwarded() {
    # Proves: reverse names of Berth addresses are answered by berth-dns (PTR NAME.NETWORK., or
    # NXDOMAIN with SOA for an unused address of the subnet) and never reach the upstream —
    # whose log does record what is forwarded (the control query at the end).
    start_dns_upstream "$UPSTREAM_IP" answer ext.example=192.0.2.10
    create_net app --subnet 10.89.3.0/24
    local gw=$NET_GW client db_ip
    ctr app client; client=$C
    ctr app db --alias database; db_ip=$C_IP
    dns_q "$client" "$gw" "$(rev4 "$db_ip")" PTR
    assert_eq NOERROR "$Q_RC" "PTR of a container: $Q"
    assert_eq "db.app." "$(jq -r '.answers[0].data' <<<"$Q")" "PTR target"
    assert_eq 1 "$(jq '.answers | length' <<<"$Q")" "PTR answers"
    assert_eq "$(rev4 "$db_ip")." "$(jq -r '.answers[0].name' <<<"$Q")" "PTR owner (aardvark 1.4 answers '.')"
    # an address of the subnet nobody holds
    dns_q "$client" "$gw" "$(rev4 10.89.3.200)" PTR
    assert_eq NXDOMAIN "$Q_RC" "PTR of an unused address: $Q"
    assert_eq SOA "$(jq -r '.authority[0].type' <<<"$Q")" "SOA with the PTR NXDOMAIN"
    # the gateway's reverse name is inside the subnet too: answered locally either way
    dns_q "$client" "$gw" "$(rev4 "$gw")" PTR
    [[ "$Q_RC" == NOERROR || "$Q_RC" == NXDOMAIN ]] || fail "PTR of the gateway: $Q"
    assert_not_contains "$(upstream_log "$UPSTREAM_IP")" "arpa" "a PTR query reached the upstream"
    # control: the upstream does log what is forwarded
    assert_resolves "$client" "$gw" ext.example 192.0.2.10
    assert_contains "$(upstream_log "$UPSTREAM_IP")" "udp ext.example A" "the forwarded control query"
    assert_not_contains "$(upstream_log "$UPSTREAM_IP")" "arpa" "a PTR query reached the upstream"
}

test_dns_nxdomain_vs_nodata() {
    # Proves: a name that exists but lacks the asked type → NOERROR, no answers, SOA in authority
    # (NODATA); a name under the network's domain or NAME.NETWORK that does not exist →
    # NXDOMAIN with SOA and AA; none of them is forwarded.
    start_dns_upstream "$UPSTREAM_IP" answer
    create_net app
    local gw=$NET_GW client
    ctr app client; client=$C
    ctr app db
    assert_rcode "$client" "$gw" db AAAA NOERROR;                 assert_soa_authority "berth.internal|app"
    assert_rcode "$client" "$gw" db.app MX NOERROR;               assert_soa_authority app
    assert_rcode "$client" "$gw" db.berth.internal TXT NOERROR;   assert_soa_authority berth.internal
    assert_rcode "$client" "$gw" nosuch.berth.internal A NXDOMAIN; assert_soa_authority berth.internal
    assert_contains "$(jq -r '.flags | join(" ")' <<<"$Q")" aa "AA on a local NXDOMAIN"
    assert_rcode "$client" "$gw" nosuch.app A NXDOMAIN;           assert_soa_authority app
    assert_rcode "$client" "$gw" deep.nosuch.berth.internal AAAA NXDOMAIN
    # the SOA's fields as the contract gives them: ns.Z. hostmaster.Z. GEN 3600 600 86400 0
    assert_match "$(jq -r '.authority[0].data' <<<"$Q")" '^ns\.berth\.internal\. hostmaster\.berth\.internal\. [0-9]+ 3600 600 86400 0$' "SOA data"
    assert_eq "" "$(upstream_log "$UPSTREAM_IP")" "queries for local names reached the upstream"
}

# ---------------------------------------------------------------------------------------------
# forwarding

test_dns_forwarding_and_nxdomain_passthrough() {
    # Proves: other names go to the host's resolvers (resolv.conf) with the answer, its NXDOMAIN
    # and the question's case passed through; a network's own --dns list replaces resolv.conf.
    start_dns_upstream "$UPSTREAM_IP" answer ext.example=192.0.2.10
    start_dns_upstream 198.51.100.11 answer ext.example=192.0.2.11
    create_net app
    local gw=$NET_GW client
    ctr app client; client=$C
    assert_resolves "$client" "$gw" ext.example 192.0.2.10
    assert_resolves "$client" "$gw" EXT.Example 192.0.2.10
    assert_eq "EXT.Example." "$(jq -r '.question.name' <<<"$Q")" "the question's case restored"
    assert_rcode "$client" "$gw" missing.example A NXDOMAIN
    assert_rcode "$client" "$gw" printer A NXDOMAIN   # an unknown single label goes upstream
    local log
    log=$(upstream_log "$UPSTREAM_IP")
    assert_contains "$log" "udp missing.example A" "NXDOMAIN came from the upstream"
    assert_contains "$log" "udp printer A" "single-label names are forwarded"
    # a network with its own upstream
    create_net own --dns 198.51.100.11
    ctr own other
    assert_resolves "$C" "$NET_GW" ext.example 192.0.2.11
    assert_contains "$(upstream_log 198.51.100.11)" "ext.example" "the network's --dns upstream"
}

test_dns_upstream_failover() {
    # Proves: upstreams are tried in order; SERVFAIL and an ICMP error move on at once, a silent
    # one after its share of the time, and the good one's answer wins. Alone, the ICMP case costs
    # under 50 ms.
    start_dns_upstream 198.51.100.11 servfail
    upstream_addr 198.51.100.12                      # an address with nothing on port 53: ICMP
    start_dns_upstream 198.51.100.13 silent
    start_dns_upstream 198.51.100.14 answer ext.example=192.0.2.14 warm.example=192.0.2.14
    create_net chain --dns 198.51.100.11 --dns 198.51.100.12 --dns 198.51.100.13 --dns 198.51.100.14
    local client
    ctr chain client; client=$C
    assert_resolves "$client" "$NET_GW" ext.example 192.0.2.14
    local ms
    ms=$(jq -r '.elapsed_ms' <<<"$Q")
    log "SERVFAIL, ICMP, silent, good: answered in ${ms} ms"
    (( ${ms%.*} < 3500 )) || fail "failover took ${ms} ms"
    assert_contains "$(upstream_log 198.51.100.11)" "ext.example" "the SERVFAIL upstream was asked first"
    assert_contains "$(upstream_log 198.51.100.13)" "ext.example" "the silent upstream was asked"
    # the ICMP case alone
    create_net icmp --dns 198.51.100.12 --dns 198.51.100.14
    ctr icmp c2
    assert_resolves "$C" "$NET_GW" warm.example 192.0.2.14   # neighbours and routes warm
    local best=999999 i
    for i in 1 2 3; do
        dns_q "$C" "$NET_GW" ext.example
        [[ "$Q_RC" == NOERROR ]] || fail "ICMP then good: $Q"
        ms=$(jq -r '.elapsed_ms' <<<"$Q"); ms=${ms%.*}
        ((ms < best)) && best=$ms
    done
    log "ICMP, good: best of 3 in ${best} ms"
    ((best < 50)) || fail "past an upstream that answers with ICMP: best of 3 took ${best} ms (limit 50)"
    # SERVFAIL alone moves on as fast
    create_net sf --dns 198.51.100.11 --dns 198.51.100.14
    ctr sf c3
    assert_resolves "$C" "$NET_GW" ext.example 192.0.2.14
    ms=$(jq -r '.elapsed_ms' <<<"$Q")
    (( ${ms%.*} < 250 )) || fail "past a SERVFAIL upstream took ${ms} ms"
}

test_dns_all_upstreams_silent_servfail() {
    # Proves: when every upstream is silent the client gets SERVFAIL before glibc's 5 s timeout,
    # never silence.
    start_dns_upstream 198.51.100.13 silent
    start_dns_upstream 198.51.100.15 silent
    create_net mute --dns 198.51.100.13 --dns 198.51.100.15
    ctr mute client
    dns_q "$C" "$NET_GW" ext.example A --timeout 8
    assert_eq SERVFAIL "$Q_RC" "all upstreams silent: $Q"
    local ms
    ms=$(jq -r '.elapsed_ms' <<<"$Q")
    log "all silent: SERVFAIL after ${ms} ms"
    (( ${ms%.*} < 5000 )) || fail "SERVFAIL after ${ms} ms (must beat the client's 5 s)"
    assert_contains "$(upstream_log 198.51.100.15)" ext.example "the second silent upstream was asked too"
}

test_dns_upstream_truncation_then_tcp() {
    # Proves: an upstream's truncated UDP reply makes berth-dns ask it again over TCP, and the
    # client gets the whole answer (without TC); dig +ignore sees no truncation either.
    need_dig
    start_dns_upstream 198.51.100.11 truncate ext.example=192.0.2.21,192.0.2.22
    create_net tc --dns 198.51.100.11
    ctr tc client
    dns_q "$C" "$NET_GW" ext.example
    assert_eq NOERROR "$Q_RC" "$Q"
    assert_eq false "$(jq -r '.tc' <<<"$Q")" "TC passed through although TCP was available"
    assert_eq "192.0.2.21 192.0.2.22" "$(q_addrs | xargs)" "answer fetched over TCP"
    local log
    log=$(upstream_log 198.51.100.11)
    assert_contains "$log" "udp ext.example A" "asked over UDP first"
    assert_contains "$log" "tcp ext.example A" "then over TCP"
    assert_contains "$(in_ns "$C" dig +ignore +tries=1 +time=3 "@$NET_GW" ext.example)" "192.0.2.22" "dig +ignore"
}

# ---------------------------------------------------------------------------------------------
# protocol

test_dns_large_answer_truncated_then_tcp() {
    # Proves: 40 containers sharing an alias over UDP without EDNS (512 bytes) → TC set and only
    # whole records (dnstool's strict parser fails on a cut record); with EDNS (1232) and over
    # TCP all 40 come.
    need_dig
    create_net big --subnet 10.89.4.0/24
    local gw=$NET_GW client i
    ctr big client; client=$C
    for i in $(seq 40); do ctr big "m$i" --alias crowd; done
    dns_q "$client" "$gw" crowd A --no-edns
    assert_eq NOERROR "$Q_RC" "UDP without EDNS: $Q"
    assert_eq true "$(jq -r '.tc' <<<"$Q")" "TC on a 40-address answer in 512 bytes"
    assert_eq 0 "$(jq -r '.trailing' <<<"$Q")" "bytes after the last whole record"
    local n
    n=$(jq '.answers | length' <<<"$Q")
    ((n < 40)) || fail "TC set but all $n answers present"
    ((n <= 30)) || fail "$n answers cannot fit in 512 bytes"
    (( $(jq -r '.size' <<<"$Q") <= 512 )) || fail "UDP reply larger than 512 bytes without EDNS"
    dns_q "$client" "$gw" crowd A --bufsize 1232
    assert_eq 40 "$(jq '.answers | length' <<<"$Q")" "answers with EDNS 1232"
    assert_ne null "$(jq -c '.edns' <<<"$Q")" "OPT in the reply to an EDNS query"
    dns_q "$client" "$gw" crowd A --tcp --no-edns
    assert_eq NOERROR "$Q_RC" "TCP: $Q"
    assert_eq false "$(jq -r '.tc' <<<"$Q")" "TC over TCP"
    assert_eq 40 "$(jq '.answers | length' <<<"$Q")" "answers over TCP"
    assert_contains "$(in_ns "$client" dig +noedns +ignore +tries=1 +time=2 "@$gw" crowd)" " tc" "dig +ignore +noedns shows TC"
    assert_eq 40 "$(in_ns "$client" dig +tcp +short +tries=1 +time=2 "@$gw" crowd | wc -l)" "dig +tcp"
}

test_dns_edns_badvers() {
    # Proves: EDNS version 1 → BADVERS (extended rcode 16) with an OPT of version 0.
    need_dig
    create_net app
    ctr app client
    dns_q "$C" "$NET_GW" client A --edns-version 1
    assert_eq BADVERS "$Q_RC" "EDNS version 1: $Q"
    assert_eq 0 "$(jq -r '.edns.version' <<<"$Q")" "the OPT's version in a BADVERS reply"
    assert_contains "$(in_ns "$C" dig +edns=1 +noednsnegotiation +tries=1 +time=2 "@$NET_GW" client)" "status: BADVERS" "dig +edns=1"
    dns_q "$C" "$NET_GW" client A --bufsize 4096
    assert_eq NOERROR "$Q_RC" "EDNS 0: $Q"
    assert_eq 0 "$(jq -r '.edns.version' <<<"$Q")" "OPT in the reply to EDNS 0"
}

test_dns_garbage_survived() {
    # Proves: malformed datagrams and TCP frames get FORMERR or nothing (never a crash): the same
    # berth-dns process answers a real query afterwards.
    create_net app
    local client pid
    ctr app client; client=$C
    ctr app peer
    pid=$(dns_pid)
    assert_ok in_ns "$client" python3 "$DNSTOOL" garbage "$NET_GW" --count 300
    log "garbage: $OUT"
    local bad
    bad=$(jq -r '.rcodes | keys[] | select(. != "FORMERR" and . != "NOTIMP" and . != "REFUSED" and . != "NXDOMAIN" and . != "SERVFAIL" and . != "NOERROR")' <<<"$OUT")
    [[ -z "$bad" ]] || fail "unexpected replies to garbage: $OUT"
    # the first structured cases (short headers, bad names, pointer loops) are all FORMERR or dropped
    assert_resolves "$client" "$NET_GW" peer "$C_IP"
    assert_eq "$pid" "$(dns_pid)" "berth-dns pid after the garbage"
}

test_dns_idle_tcp_does_not_starve_udp() {
    # Proves: 500 idle TCP connections (nothing sent) do not slow UDP: 100 of 100 queries answer,
    # each within 200 ms; the server caps or times out the idle ones, and stays the same process.
    create_net app
    local client pid i worst=0 ms
    ctr app client; client=$C
    ctr app peer
    pid=$(dns_pid)
    dnsq_open "$client"
    _ns_prefix "$client"
    "${NSPFX[@]}" python3 "$DNSTOOL" tcp-idle "$NET_GW" --count 500 --hold 120 --ready "$BT_TMP/idle.ready" \
        </dev/null >/dev/null 2>"$BT_TMP/idle.err" &
    _bt_record pids "$!"
    wait_until 60 "500 idle TCP connections" test -e "$BT_TMP/idle.ready"
    log "idle TCP: $(cat "$BT_TMP/idle.ready")"
    for i in $(seq 100); do
        dns_q "$client" "$NET_GW" peer A --timeout 1
        [[ "$Q_RC" == NOERROR && "$(q_addrs)" == "$C_IP" ]] || fail "UDP query $i with 500 idle TCP connections: $Q"
        ms=$(jq -r '.elapsed_ms' <<<"$Q"); ms=${ms%.*}
        ((ms > worst)) && worst=$ms
    done
    ((worst < 200)) || fail "slowest UDP answer ${worst} ms with 500 idle TCP connections"
    assert_eq "$pid" "$(dns_pid)" "berth-dns pid"
}

# ---------------------------------------------------------------------------------------------
# who may ask

test_dns_isolation_and_multihomed() {
    # Proves: a container sees the names of its own networks only; a container on two networks
    # sees both; another network's gateway does not answer it.
    start_dns_upstream "$UPSTREAM_IP" answer
    create_net one; local gw1=$NET_GW
    create_net two; local gw2=$NET_GW
    local a a_ip b b_ip m
    ctr one a; a=$C; a_ip=$C_IP
    ctr two b; b=$C; b_ip=$C_IP
    new_netns_container m
    connect one "$m" --name multi; local m1=$EP_IP
    connect two "$m" --name multi --ifname eth1; local m2=$EP_IP
    # a (network one) never gets b's address, however it asks
    local n
    for n in b b.two b.berth.internal B.TWO; do
        dns_q "$a" "$gw1" "$n"
        assert_not_contains "$(q_addrs)" "$b_ip" "$n from network one"
    done
    assert_rcode "$a" "$gw1" b.berth.internal A NXDOMAIN   # under a visible network's domain
    # and not through the other network's gateway either
    dns_q "$a" "$gw2" b
    assert_not_contains "$Q" "$b_ip" "b via network two's gateway from network one"
    [[ "$Q_RC" == TIMEOUT || "$Q_RC" == REFUSED || "$Q_RC" == ICMP ]] || fail "network two's gateway answered network one: $Q"
    # the multi-homed container sees both networks
    assert_resolves "$m" "$gw1" a "$a_ip"
    assert_resolves "$m" "$gw1" b "$b_ip"
    assert_resolves "$m" "$gw2" a.one "$a_ip"
    assert_resolves "$m" "$gw2" b.two "$b_ip"
    # and is seen by both (its address on each network)
    assert_resolves "$a" "$gw1" multi "$m1"
    assert_resolves "$b" "$gw2" multi.two "$m2"
}

test_dns_strangers_get_nothing() {
    # Proves: (1) a namespace outside the bridge that routes to a gateway (the upstream namespace)
    # gets no answer; (2) an address on the bridge that is no Berth endpoint gets REFUSED (or
    # nothing) and its query is never forwarded.
    start_dns_upstream "$UPSTREAM_IP" answer ext.example=192.0.2.10
    create_net app --subnet 10.89.5.0/24
    local gw=$NET_GW
    ctr app member
    ip -n "$BT_UP" route add 10.89.5.0/24 via "$UPLINK_HOST_IP" || fail "route in the upstream namespace"
    _ping_in up "$gw" && log "the upstream namespace reaches $gw (ping)"   # context, not a claim
    dns_q up "$gw" member
    [[ "$Q_RC" == TIMEOUT || "$Q_RC" == ICMP ]] || fail "a host outside got a DNS reply from the gateway: $Q"
    dns_q up "$gw" ext.example
    [[ "$Q_RC" == TIMEOUT || "$Q_RC" == ICMP ]] || fail "Berth is an open resolver to the outside: $Q"
    dns_q up "$gw" ext.example A --tcp
    [[ "$Q_RC" != NOERROR ]] || fail "Berth answers the outside over TCP: $Q"
    # a namespace plugged into the bridge by hand with an address nobody leased
    local rogue
    new_netns_container rogue
    ip -n "$BT_HOST" link add bt-rogue type veth peer name eth0 netns "$rogue" || fail "rogue veth"
    ip -n "$BT_HOST" link set bt-rogue master "$NET_BRIDGE" up
    ip -n "$rogue" addr add 10.89.5.250/24 dev eth0
    ip -n "$rogue" link set eth0 up
    dns_q "$rogue" "$gw" ext.example
    [[ "$Q_RC" == REFUSED || "$Q_RC" == TIMEOUT ]] || fail "a non-endpoint on the bridge: expected REFUSED (or nothing), got $Q"
    dns_q "$rogue" "$gw" member
    [[ "$Q_RC" == REFUSED || "$Q_RC" == TIMEOUT ]] || fail "a non-endpoint asked a local name: $Q"
    assert_not_contains "$(upstream_log "$UPSTREAM_IP")" ext.example "a stranger's query was forwarded"
    # control: the member is answered and forwarded for
    assert_resolves "$C" "$gw" ext.example 192.0.2.10
}

test_dns_internal_network_local_only() {
    # Proves: on an internal network local names resolve and nothing is forwarded (REFUSED).
    start_dns_upstream "$UPSTREAM_IP" answer ext.example=192.0.2.10
    create_net priv --internal
    local a
    ctr priv a; a=$C
    ctr priv b
    assert_resolves "$a" "$NET_GW" b "$C_IP"
    assert_resolves "$a" "$NET_GW" b.priv "$C_IP"
    assert_rcode "$a" "$NET_GW" ext.example A REFUSED
    assert_rcode "$a" "$NET_GW" printer A REFUSED
    assert_eq "" "$(upstream_log "$UPSTREAM_IP")" "an internal network forwarded"
}

# ---------------------------------------------------------------------------------------------
# changes

test_dns_resolv_conf_rewritten() {
    # Proves: when the host's resolv.conf is rewritten, the new upstream is used within a second.
    start_dns_upstream "$UPSTREAM_IP" answer ext.example=192.0.2.1
    start_dns_upstream 198.51.100.11 answer ext.example=192.0.2.11
    create_net app
    ctr app client
    assert_resolves "$C" "$NET_GW" ext.example 192.0.2.1
    set_resolv_conf 198.51.100.11
    local t0=$EPOCHREALTIME ms
    while :; do
        dns_q "$C" "$NET_GW" ext.example
        [[ "$(q_addrs)" == 192.0.2.11 ]] && break
        ms=$(( (${EPOCHREALTIME/./} - ${t0/./}) / 1000 ))
        ((ms < 3000)) || fail "still the old upstream 3 s after resolv.conf changed: $Q"
    done
    ms=$(( (${EPOCHREALTIME/./} - ${t0/./}) / 1000 ))
    log "new upstream in use after ${ms} ms"
    ((ms <= 1000)) || fail "the new upstream was used only after ${ms} ms (limit 1 s)"
}

test_dns_churn_no_loss_read_your_writes() {
    # Proves the issue's headline: while 100 containers are attached and detached, a client
    # querying at 200 queries/s loses none and gets no wrong answer, and each new name resolves
    # on the very first query sent after its `network connect` returns (100 of 100).
    local rate=${BT_DNS_CHURN_RATE:-200} n=${BT_DNS_CHURN_N:-100} keep=10
    create_net churn --subnet 10.89.8.0/22
    local gw=$NET_GW q i
    ctr churn querier; q=$C
    dnsq_open "$q"
    local expect="$BT_TMP/churn.expect"
    : >"$expect"
    for i in 1 2 3 4 5; do ctr churn "stable$i"; echo "stable$i $C_IP" >>"$expect"; done
    _ns_prefix "$q"
    "${NSPFX[@]}" python3 "$DNSTOOL" churn-load "$gw" --expect "$expect" --rate "$rate" --duration 600 \
        --timeout 2 --stop-file "$BT_TMP/churn.stop" --ready "$BT_TMP/churn.ready" \
        </dev/null >"$BT_TMP/churn.json" 2>"$BT_TMP/churn.err" &
    local load=$!
    _bt_record pids "$load"
    wait_until 20 "the churn load to start" test -e "$BT_TMP/churn.ready"
    local first_ok=0 first_bad="" gone_ok=0 gone_bad=""
    local -a ns_of=() ip_of=()
    # _expect_write: rewrite the expectations atomically (the load re-reads them when they change)
    _expect_write() { { for k in "${!live[@]}"; do echo "$k ${live[$k]}"; done; grep '^stable' "$expect"; } >"$expect.new"; mv -f "$expect.new" "$expect"; }
    local -A live=()
    local started=$EPOCHREALTIME
    for ((i = 1; i <= n; i++)); do
        new_netns_container c
        connect churn "$c" --name "n$i"
        ns_of[$i]=$c ip_of[$i]=$EP_IP
        # read your writes: the first query after connect returned, one attempt
        dns_q "$q" "$gw" "n$i" A --timeout 1
        if [[ "$Q_RC" == NOERROR && "$(q_addrs)" == "$EP_IP" ]]; then
            first_ok=$((first_ok + 1))
        else
            first_bad+="n$i:$Q_RC:$(q_addrs | xargs) "
        fi
        live[n$i]=$EP_IP
        _expect_write
        if ((i > keep)); then
            local j=$((i - keep))
            unset "live[n$j]"
            _expect_write
            assert_ok berth_host network disconnect churn "${ns_of[$j]}"
            # and the other way round: gone on the first query after disconnect returns
            dns_q "$q" "$gw" "n$j.churn" A --timeout 1
            if [[ "$Q_RC" == NXDOMAIN ]]; then gone_ok=$((gone_ok + 1)); else gone_bad+="n$j:$Q_RC "; fi
        fi
    done
    for ((j = n - keep + 1; j <= n; j++)); do
        ((j >= 1)) || continue
        unset "live[n$j]"
        _expect_write
        assert_ok berth_host network disconnect churn "${ns_of[$j]}"
    done
    local secs=$(( (${EPOCHREALTIME/./} - ${started/./}) / 1000000 ))
    touch "$BT_TMP/churn.stop"
    wait "$load"
    local r
    r=$(cat "$BT_TMP/churn.json")
    log "churn: $n containers in ${secs}s; load: $r; first query after connect: $first_ok/$n; gone after disconnect: $gone_ok/$((n - keep))"
    [[ -n "$r" ]] || fail "the churn load printed nothing: $(cat "$BT_TMP/churn.err")"
    local sent lost wrong answered
    sent=$(jq .sent <<<"$r"); lost=$(jq .lost <<<"$r"); wrong=$(jq .wrong <<<"$r"); answered=$(jq .answered <<<"$r")
    assert_eq 0 "$lost" "queries lost during churn ($r)"
    assert_eq 0 "$wrong" "wrong answers during churn ($r)"
    assert_eq "$sent" "$answered" "answered = sent"
    # the load really ran at its rate the whole time (≥ 80 % of rate × seconds)
    ((sent * 10 >= rate * secs * 8)) || fail "only $sent queries in ${secs}s at $rate/s"
    assert_eq "$n" "$first_ok" "new names resolved on the first query after connect (failures: $first_bad)"
    assert_eq "$((n - keep))" "$gone_ok" "names gone on the first query after disconnect (failures: $gone_bad)"
}

test_dns_killed_server_restarts() {
    # Proves: berth-dns killed with SIGKILL (by its pidfile's pid) is started again by the next
    # berth command that needs it, and names resolve again (old and new ones).
    create_net app
    local a b_ip pid newpid
    ctr app a; a=$C
    ctr app b; b_ip=$C_IP
    assert_resolves "$a" "$NET_GW" b "$b_ip"
    pid=$(dns_pid)
    kill -KILL "$pid"
    wait_until 5 "berth-dns $pid to die" dns_gone
    dns_q "$a" "$NET_GW" b A --timeout 0.5
    [[ "$Q_RC" != NOERROR ]] || fail "answered with the server killed: $Q"
    ctr app c                               # the next command that needs it
    newpid=$(dns_pid)
    assert_ne "$pid" "$newpid" "berth-dns pid after the restart"
    assert_resolves "$a" "$NET_GW" b "$b_ip"
    assert_resolves "$a" "$NET_GW" c "$C_IP"
    # again, through berth doctor
    kill -KILL "$newpid"
    wait_until 5 "berth-dns $newpid to die" dns_gone
    run_capture berth_host doctor
    wait_until 5 "berth doctor to restart berth-dns" berth_dns_pid
    assert_resolves "$a" "$NET_GW" c "$C_IP"
}

# ---------------------------------------------------------------------------------------------
# front ends and lifecycle

test_dns_concurrent_creates_start_one_server() {
    # Proves: commands racing to create DNS networks on a state directory with no server start
    # exactly one berth-dns (the launchers' lock and the pidfile lock), and it serves them all.
    local i p pids=()
    for i in 1 2 3 4; do
        berth_host network create "race$i" --subnet "10.89.4$i.0/24" >"$BT_TMP/race$i.out" 2>&1 &
        pids+=($!)
    done
    for p in "${pids[@]}"; do
        wait "$p" || fail "a concurrent network create failed: $(cat "$BT_TMP"/race*.out)"
    done
    local servers=0
    for p in /proc/[0-9]*; do
        _bt_is_berth_dns "${p#/proc/}" || continue
        tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -qF -- "--state-dir $BT_STATE " && servers=$((servers + 1))
    done
    assert_eq 1 "$servers" "berth-dns processes serving this state directory"
    assert_ok berth_host dns status --format json
    assert_eq 4 "$(jq '[.listeners[].network | select(startswith("race"))] | unique | length' <<<"$OUT")" \
        "networks with listeners: $OUT"
    for i in 1 4; do
        local gw
        gw=$(berth_host network inspect "race$i" | jq -r '.[0].gateway')
        ctr "race$i" "member$i"
        assert_resolves "$C" "$gw" "member$i" "$C_IP"
    done
}

test_dns_status() {
    # Proves: `berth dns status` shows the pid (the pidfile's), the listeners on each DNS
    # network's gateway, the names and counters that move with queries; it fails when no server runs.
    create_net one --subnet 10.89.6.0/24; local gw1=$NET_GW
    create_net two --subnet 10.89.7.0/24
    local a
    ctr one a; a=$C
    ctr one b
    assert_ok berth_host dns status --format json
    local s=$OUT pid
    pid=$(dns_pid)
    assert_eq "$pid" "$(jq -r .pid <<<"$s")" "status pid"
    assert_eq 1 "$(jq --arg a "$gw1" '[.listeners[] | select(.network == "one" and .address == $a and .port == 53)] | length' <<<"$s")" "listener of network one: $s"
    (( $(jq '[.listeners[] | select(.network == "two")] | length' <<<"$s") >= 1 )) || fail "no listener of network two: $s"
    local q0
    q0=$(jq .counters.queries <<<"$s")
    (( $(jq .names <<<"$s") >= 2 )) || fail "status counts fewer than 2 names: $s"
    assert_resolves "$a" "$gw1" b "$C_IP"
    assert_resolves "$a" "$gw1" b.one "$C_IP"
    assert_rcode "$a" "$gw1" nosuch.one A NXDOMAIN
    assert_ok berth_host dns status --format json
    (( $(jq .counters.queries <<<"$OUT") >= q0 + 3 )) || fail "query counter did not move by 3: before $q0, now $OUT"
    (( $(jq .counters.nxdomain <<<"$OUT") >= 1 )) || fail "nxdomain counter: $OUT"
    assert_ok berth_host dns status
    assert_contains "$OUT" "$pid" "plain status shows the pid"
    assert_contains "$OUT" "$gw1" "plain status shows the listeners"
    assert_ok berth_host network rm --force one
    assert_ok berth_host network rm two
    wait_until 5 "berth-dns to exit with the last DNS network" dns_gone
    assert_fails berth_host dns status
    assert_eq 1 "$RC" "exit status of dns status without a server"
    assert_contains "$ERR" "the name service is not running" "dns status without a server"
}

test_dns_run_gets_resolv_conf() {
    # Proves: `berth run` gives its command a resolv.conf naming the gateway and the search
    # domain, and glibc in the command resolves a container's name through it.
    create_net app
    local gw=$NET_GW
    ctr app db
    assert_ok berth_host run --network app --name runner -- cat /etc/resolv.conf
    assert_contains "$OUT" "nameserver $gw" "run's resolv.conf"
    assert_contains "$OUT" "search berth.internal" "run's resolv.conf search"
    assert_ok berth_host run --network app --name runner2 -- getent hosts db
    assert_contains "$OUT" "$C_IP" "getent hosts db inside berth run"
    # the host's own resolv.conf is untouched by that
    assert_not_contains "$(in_host cat /etc/resolv.conf)" "nameserver $gw" "the host netns's resolv.conf"
}

test_dns_disabled_network_has_no_listener() {
    # Proves: a network made with --dns=false (and the spellings --no-dns, --disable-dns) has no
    # listener on its gateway's port 53 and starts no server; the default bridge has no DNS.
    create_net quiet --dns=false
    local gw=$NET_GW
    assert_eq false "$(net_field quiet dns)" "inspect dns of a --dns=false network"
    dns_listening "$gw" udp && fail "something listens on $gw:53/udp"
    dns_listening "$gw" tcp && fail "something listens on $gw:53/tcp"
    dns_gone || fail "berth-dns runs although no network has DNS"
    ctr quiet a
    assert_eq null "$(jq -c '.dns // null | if . == {} then null else . end' <<<"$EP")" "connect JSON dns on a --dns=false network"
    dns_q "$C" "$gw" a A --timeout 0.5
    [[ "$Q_RC" == TIMEOUT || "$Q_RC" == ICMP ]] || fail "the gateway of a --dns=false network answered: $Q"
    create_net quiet2 --no-dns
    assert_eq false "$(net_field quiet2 dns)" "--no-dns"
    create_net quiet3 --disable-dns
    assert_eq false "$(net_field quiet3 dns)" "--disable-dns"
    # the default bridge network (made on first use by berth run) has none either
    assert_ok berth_host run --name r -- true
    assert_eq false "$(net_field bridge dns)" "the default bridge network's dns"
    dns_gone || fail "berth-dns started for the default bridge"
    # and a DNS network next to them does
    create_net loud
    assert_eq true "$(net_field loud dns)" "dns on by default"
    dns_listening "$NET_GW" udp || fail "no listener on the DNS network's gateway"
    dns_listening "$gw" udp && fail "a DNS network opened a listener on the --dns=false network's gateway"
    return 0
}

test_dns_network_rm_closes_listeners() {
    # Proves: listeners are bound when `network create` returns and closed when `network rm`
    # returns; removing the last DNS network stops the server (pidfile and socket gone).
    create_net one; local gw1=$NET_GW
    dns_listening "$gw1" udp || fail "no UDP listener on $gw1:53 after network create returned"
    dns_listening "$gw1" tcp || fail "no TCP listener on $gw1:53 after network create returned"
    local pid
    pid=$(dns_pid)
    create_net two; local gw2=$NET_GW
    dns_listening "$gw2" udp || fail "no listener on $gw2:53"
    assert_eq "$pid" "$(dns_pid)" "one server for both networks"
    assert_ok berth_host network rm two
    dns_listening "$gw2" udp && fail "listener on $gw2:53/udp left after network rm"
    dns_listening "$gw2" tcp && fail "listener on $gw2:53/tcp left after network rm"
    dns_listening "$gw1" udp || fail "network one's listener went with network two"
    assert_eq "$pid" "$(dns_pid)" "the server after removing one of two networks"
    assert_ok berth_host network rm one
    wait_until 5 "berth-dns to exit after the last DNS network" dns_gone
    dns_listening "$gw1" udp && fail "listener on $gw1:53 after the last network went"
    [[ ! -e "$BT_STATE/dns/control.sock" ]] || fail "control.sock left behind"
    [[ ! -e "$BT_STATE/dns/berth-dns.pid" ]] || fail "pidfile left behind"
    return 0
}

test_dns_cni_names_aliases_result() {
    # Proves: a CNI ADD on a DNS network registers the pod name (K8S_POD_NAME) and the aliases of
    # runtimeConfig.aliases, resolvable by the time ADD returns; the result carries dns
    # (nameservers, search); DEL removes the names by the time it returns.
    local a b conf res gw a_ip b_ip
    new_netns_container a
    new_netns_container b
    conf=$(cni_conf cdns '.subnet = "10.89.9.0/24" | .capabilities = {aliases: true}')
    CNI_STDIN=$(jq -c '.runtimeConfig = {aliases: {cdns: ["cache", "kv"]}}' <<<"$conf") \
        cni_ok ADD ca "$(cni_netns "$a")" eth0 "IgnoreUnknown=1;K8S_POD_NAME=redis"
    res=$OUT
    a_ip=$(jq -r '.ips[0].address' <<<"$res"); a_ip=${a_ip%/*}
    gw=$(jq -r '.dns.nameservers[0]' <<<"$res")
    [[ "$gw" =~ ^10\.89\.9\. ]] || fail "CNI result dns.nameservers: $res"
    assert_eq berth.internal "$(jq -r '.dns.search[0]' <<<"$res")" "CNI result dns.search"
    CNI_STDIN=$conf cni_ok ADD cb "$(cni_netns "$b")" eth0 "IgnoreUnknown=1;K8S_POD_NAME=client"
    b_ip=$(jq -r '.ips[0].address' <<<"$OUT"); b_ip=${b_ip%/*}
    assert_resolves "$b" "$gw" redis "$a_ip"
    assert_resolves "$b" "$gw" cache "$a_ip"
    assert_resolves "$b" "$gw" kv.cdns "$a_ip"
    assert_resolves "$a" "$gw" client.berth.internal "$b_ip"
    CNI_STDIN=$conf cni_ok DEL ca "$(cni_netns "$a")" eth0 "IgnoreUnknown=1;K8S_POD_NAME=redis"
    assert_rcode "$b" "$gw" redis.cdns A NXDOMAIN
    assert_rcode "$b" "$gw" cache.berth.internal A NXDOMAIN
}
