#!/usr/bin/env bash
# The etcd client (BerthEtcd) and the overlay registry against a real etcd 3.4, by hand (not a
# run.sh test: it drives the XCTest bundle, which run.sh does not build).
#
#   swift build --build-tests && sudo tests/integration/etcd_client_live.sh
#
# Everything runs in a throwaway network namespace bt-etcdlive-PID under a private PID namespace
# (with its own /proc: without --mount-proc, Swift's crash handling and glibc's per-thread /proc
# lookups see the host's PIDs) and talks to loopback only: etcd over http on 2379, etcd over
# https with client-certificate auth on 2381 (certificates made here with openssl), and a socket
# that accepts and never answers on 2390 (the timeout case). etcd 3.4's JSON gateway reaches its own
# gRPC server with the server certificate as a client certificate: with --client-cert-auth that
# certificate needs extendedKeyUsage clientAuth too (else every call fails 503 "use of closed
# network connection").
set -u -o pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
XCTEST=${XCTEST:-$HERE/../../.build/debug/BerthPackageTests.xctest}
[[ $(id -u) -eq 0 ]] || { echo "needs root (network namespaces)"; exit 0; }
command -v etcd >/dev/null || { echo "etcd missing: apt-get install etcd-server"; exit 1; }
[[ -x $XCTEST ]] || { echo "build the tests first: swift build --build-tests"; exit 1; }

if [[ "${1:-}" != --inside ]]; then
    NS=bt-etcdlive-$$
    WORK=$(mktemp -d)
    trap 'ip netns del $NS 2>/dev/null; rm -rf "$WORK"' EXIT
    ip netns add "$NS"
    unshare --pid --fork --kill-child --mount-proc ip netns exec "$NS" "$0" --inside "$WORK" "$XCTEST"
    exit $?
fi

WORK=$2 XCTEST=$3
ip link set lo up
T=$WORK/tls
mkdir -p "$T" "$WORK/d1" "$WORK/d2"
(
    cd "$T"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 1 -subj /CN=bt-ca
    openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1
    printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 1 -extfile server.ext
    openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj /CN=berth
    printf 'extendedKeyUsage=clientAuth\n' >client.ext
    openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 1 -extfile client.ext
    openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem -days 1 -subj /CN=bt-other
) >/dev/null 2>&1
etcd --name plain --data-dir "$WORK/d1" --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster plain=http://127.0.0.1:2380 >"$WORK/etcd1.log" 2>&1 &
etcd --name tls --data-dir "$WORK/d2" --listen-client-urls https://127.0.0.1:2381 --advertise-client-urls https://127.0.0.1:2381 \
    --listen-peer-urls http://127.0.0.1:2382 --initial-advertise-peer-urls http://127.0.0.1:2382 \
    --initial-cluster tls=http://127.0.0.1:2382 --cert-file "$T/server.pem" --key-file "$T/server.key" \
    --trusted-ca-file "$T/ca.pem" --client-cert-auth >"$WORK/etcd2.log" 2>&1 &
python3 -c 'import socket,time
s=socket.socket(); s.bind(("127.0.0.1",2390)); s.listen(16); time.sleep(600)' &
for _ in $(seq 50); do curl -s http://127.0.0.1:2379/health >/dev/null && break; sleep 0.2; done
for _ in $(seq 50); do curl -s --cacert "$T/ca.pem" --cert "$T/client.pem" --key "$T/client.key" https://127.0.0.1:2381/health >/dev/null && break; sleep 0.2; done
# History compacted at the latest revision, for the watch-from-a-compacted-revision case.
for _ in 1 2 3; do curl -s -X POST http://127.0.0.1:2379/v3/kv/put -d '{"key":"L2NvbXA=","value":"eA=="}' >/dev/null; done
REV=$(curl -s -X POST http://127.0.0.1:2379/v3/kv/range -d '{"key":"L2NvbXA="}' | sed 's/.*"revision":"\([0-9]*\)".*/\1/')
curl -s -X POST http://127.0.0.1:2379/v3/kv/compaction -d "{\"revision\":\"$REV\"}" >/dev/null

fail=0
run() {   # NAME EXPECT(pass|fail) ENV… -- FILTER
    local name=$1 expect=$2; shift 2
    local envs=()
    while [[ $1 != -- ]]; do envs+=("$1"); shift; done
    shift
    if env "${envs[@]}" "$XCTEST" "$@" >"$WORK/out" 2>&1; then got=pass; else got=fail; fi
    if [[ $got == "$expect" ]]; then echo "ok   $name ($got as expected)"; else echo "FAIL $name: $got"; fail=1; fi
    grep -E "Executed .* tests?,|error:" "$WORK/out" | tail -3 | sed 's/^/     /'
}
run "http: kv, txn, leases, watch, compaction, timeout, failover" pass \
    BERTH_ETCD_ENDPOINTS=http://127.0.0.1:2379 BERTH_ETCD_COMPACTED="$REV" BERTH_ETCD_BLACKHOLE=http://127.0.0.1:2390 \
    -- BerthEtcdTests.LiveEtcdTests
run "registry over real etcd (8 hosts claiming at once)" pass BERTH_ETCD_ENDPOINTS=http://127.0.0.1:2379 \
    -- BerthAgentTests.RegistryLiveEtcdTests
run "https with a client certificate" pass BERTH_ETCD_ENDPOINTS=https://127.0.0.1:2381 \
    BERTH_ETCD_CACERT="$T/ca.pem" BERTH_ETCD_CERT="$T/client.pem" BERTH_ETCD_KEY="$T/client.key" \
    -- BerthEtcdTests.LiveEtcdTests
run "https without a client certificate is refused" fail BERTH_ETCD_ENDPOINTS=https://127.0.0.1:2381 \
    BERTH_ETCD_CACERT="$T/ca.pem" -- BerthEtcdTests.LiveEtcdTests/testKVAndTxn
run "https with the wrong CA is refused" fail BERTH_ETCD_ENDPOINTS=https://127.0.0.1:2381 \
    BERTH_ETCD_CACERT="$T/other.pem" BERTH_ETCD_CERT="$T/client.pem" BERTH_ETCD_KEY="$T/client.key" \
    -- BerthEtcdTests.LiveEtcdTests/testKVAndTxn
exit $fail
