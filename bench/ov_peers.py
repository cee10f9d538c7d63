#!/usr/bin/env python3
"""Simulated overlay peer hosts for bench/overlay.sh, written straight into etcd (v3 JSON gateway).

    ov_peers.py URL PREFIX NET put COUNT            one lease per peer (TTL 600 s), its peers/ key
    ov_peers.py URL PREFIX NET churn COUNT SECONDS RATE
                                                    every second RATE peers (rotating) deleted, and
                                                    0.5 s later put back under their lease
    ov_peers.py URL PREFIX NET delete COUNT         the peers' keys and leases gone

Peer i: block 10.240.(100+i).0/24, VTEP 198.51.100.(150+i) (nobody answers there: entries only),
MAC 02:bb:00:00:XX:YY. Leases are recorded in a file beside this run (argv STATEFILE env).
Prints one line per phase: the operations done and the seconds taken.
"""
import base64
import json
import os
import sys
import time
import urllib.request

url, prefix, net, cmd, count = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
state = os.environ.get("OV_PEERS_STATE", "/dev/null")


def b64(s):
    return base64.b64encode(s.encode()).decode()


def post(path, body):
    req = urllib.request.Request(url + path, data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)


def key(i):
    return f"{prefix}/overlay/{net}/peers/10.240.{100 + i}.0-24"


def value(i):
    return json.dumps({"host": f"{0xb0000 + i:016x}", "hostname": f"sim{i}",
                       "vtep": f"198.51.100.{150 + i}", "mac": f"02:bb:00:00:{i >> 8:02x}:{i & 255:02x}",
                       "endpoints": 1})


def load_leases():
    try:
        return json.load(open(state))
    except (OSError, ValueError):
        return {}


t0 = time.monotonic()
ops = 0
if cmd == "put":
    leases = {}
    for i in range(count):
        lease = post("/v3/lease/grant", {"TTL": 600})["ID"]
        leases[str(i)] = lease
        post("/v3/kv/put", {"key": b64(key(i)), "value": b64(value(i)), "lease": lease})
        ops += 2
    if state != "/dev/null":
        json.dump(leases, open(state, "w"))
elif cmd == "churn":
    seconds, rate = int(sys.argv[6]), int(sys.argv[7])
    leases = load_leases()
    nxt = 0
    for s in range(seconds):
        start = time.monotonic()
        batch = [(nxt + k) % count for k in range(rate)]
        nxt = (nxt + rate) % count
        for i in batch:
            post("/v3/kv/deleterange", {"key": b64(key(i))})
            ops += 1
        time.sleep(max(0.0, start + 0.5 - time.monotonic()))
        for i in batch:
            post("/v3/kv/put", {"key": b64(key(i)), "value": b64(value(i)), "lease": leases.get(str(i), "0")})
            ops += 1
        time.sleep(max(0.0, start + 1.0 - time.monotonic()))
elif cmd == "delete":
    for i, lease in load_leases().items():
        post("/v3/lease/revoke", {"ID": lease})
        ops += 1
    for i in range(count):
        post("/v3/kv/deleterange", {"key": b64(key(i))})
        ops += 1
else:
    sys.exit(f"unknown command {cmd}")
print(f"{cmd} {ops} {time.monotonic() - t0:.3f}")
