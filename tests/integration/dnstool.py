#!/usr/bin/env python3
"""A scripted DNS client, test upstream and load generator for Berth's DNS tests and bench.

Standard library only (raw sockets and struct), so what it sends and how it reads the answer
is exactly what is written here, independent of any resolver library.

  dnstool.py query SERVER NAME [TYPE] [--tcp] [--no-edns | --edns-version N] [--bufsize N]
                   [--timeout S] [--port P] [--no-rd]
      One query, one attempt (no retries). Prints one JSON object:
      {"rcode": "NOERROR", "flags": [...], "answers": [{"name","type","ttl","data"}...],
       "authority": [...], "edns": {...} | null, "elapsed_ms": F, "size": N, "tc": bool}
      No reply within the timeout → {"rcode": "TIMEOUT"}; an ICMP error → {"rcode": "ICMP"}.
      Exit 0 whenever a reply (any rcode) arrived, 2 on TIMEOUT or ICMP.

  dnstool.py batch
      Reads one query per line on stdin (the arguments of `query`, shell words) and prints one
      JSON line per query: a test asks many questions without a Python start-up each.

  dnstool.py upstream --listen ADDR [--port 53] --log FILE [--mode MODE] [--ready FILE]
                      [--record NAME=ADDR[,ADDR...]]...
      A UDP+TCP DNS responder. Every query is appended to FILE as "PROTO NAME TYPE" (lowercase
      name, no trailing dot), flushed at once. MODE:
        answer    known names → their A/AAAA records, anything else → NXDOMAIN (default)
        nxdomain  everything NXDOMAIN
        servfail  everything SERVFAIL
        refused   everything REFUSED
        silent    logs, never answers
        truncate  over UDP: an empty reply with TC set; over TCP: as `answer`
      --ready FILE is created once both sockets are bound.

  dnstool.py churn-load SERVER --expect FILE [--rate 200] [--duration S] [--timeout 2]
      Queries (A) at a fixed rate, round-robin over the names in FILE ("NAME ADDRESS" lines;
      the file may be replaced while running: it is re-read when it changes). An answer is
      "wrong" unless it is NOERROR with exactly that address — but only if the name's line was
      the same when the query was sent and when the answer arrived (else "changed", not
      judged). No answer within --timeout → "lost". Prints JSON counts. --stop-file F: stop
      sending when F appears (--duration is then the upper bound); --ready F: created after
      the first query.

  dnstool.py tcp-idle SERVER --count N [--port 53] [--hold S] [--ready FILE]
      Opens N TCP connections, sends nothing, holds them (until killed or --hold seconds).
      Writes "opened K of N" to --ready once done (K: connections established within 5 s).

  dnstool.py garbage SERVER [--port 53] [--count N]
      Sends N malformed datagrams (and a few malformed TCP frames); prints what came back
      as JSON: {"sent": N, "replies": K, "rcodes": {...}}.
"""
import argparse
import errno
import json
import os
import random
import select
import socket
import struct
import sys
import threading
import time

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28,
         "SRV": 33, "OPT": 41, "ANY": 255}
TYPE_NAMES = {v: k for k, v in TYPES.items()}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED",
          16: "BADVERS"}


def family_of(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


# ---------------------------------------------------------------------------------------------
# wire

def encode_name(name):
    name = name.rstrip(".")
    out = b""
    if name:
        for label in name.split("."):
            raw = label.encode()
            if not 0 < len(raw) < 64:
                raise ValueError("bad label in %r" % name)
            out += bytes([len(raw)]) + raw
    return out + b"\0"


def build_query(name, qtype, qid=None, rd=True, edns=True, edns_version=0, bufsize=1232):
    qid = random.randrange(65536) if qid is None else qid
    flags = 0x0100 if rd else 0
    arcount = 1 if edns else 0
    msg = struct.pack("!HHHHHH", qid, flags, 1, 0, 0, arcount)
    msg += encode_name(name) + struct.pack("!HH", TYPES.get(qtype.upper(), 1) if isinstance(qtype, str) else qtype, 1)
    if edns:
        # OPT: root owner, type 41, class = payload size, TTL = ext-rcode(8) version(8) flags(16)
        msg += b"\0" + struct.pack("!HHIH", 41, bufsize, (edns_version & 0xFF) << 16, 0)
    return qid, msg


def read_name(msg, off, depth=0):
    labels = []
    jumped = False
    end = off
    hops = 0
    while True:
        if off >= len(msg):
            raise ValueError("name runs past the message")
        n = msg[off]
        if n & 0xC0 == 0xC0:
            if off + 1 >= len(msg):
                raise ValueError("truncated pointer")
            ptr = ((n & 0x3F) << 8) | msg[off + 1]
            if not jumped:
                end = off + 2
            jumped = True
            hops += 1
            if hops > 64:
                raise ValueError("pointer loop")
            off = ptr
            continue
        if n == 0:
            if not jumped:
                end = off + 1
            break
        labels.append(msg[off + 1:off + 1 + n].decode("latin-1"))
        off += 1 + n
    return ".".join(labels) + ".", end


def rdata_text(msg, rtype, off, rdlen):
    rd = msg[off:off + rdlen]
    if rtype == 1 and rdlen == 4:
        return socket.inet_ntop(socket.AF_INET, rd)
    if rtype == 28 and rdlen == 16:
        return socket.inet_ntop(socket.AF_INET6, rd)
    if rtype in (2, 5, 12):
        return read_name(msg, off)[0]
    if rtype == 6:
        mname, o = read_name(msg, off)
        rname, o = read_name(msg, o)
        serial, refresh, retry, expire, minimum = struct.unpack("!IIIII", msg[o:o + 20])
        return "%s %s %d %d %d %d %d" % (mname, rname, serial, refresh, retry, expire, minimum)
    return rd.hex()


def parse_response(msg):
    if len(msg) < 12:
        raise ValueError("short message (%d bytes)" % len(msg))
    qid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", msg[:12])
    off = 12
    question = None
    for _ in range(qd):
        qname, off = read_name(msg, off)
        qtype, qclass = struct.unpack("!HH", msg[off:off + 4])
        off += 4
        question = {"name": qname, "type": TYPE_NAMES.get(qtype, str(qtype))}
    sections = []
    edns = None
    for count in (an, ns, ar):
        records = []
        for _ in range(count):
            rname, off = read_name(msg, off)
            if off + 10 > len(msg):
                raise ValueError("record header runs past the message")
            rtype, rclass, ttl, rdlen = struct.unpack("!HHIH", msg[off:off + 10])
            off += 10
            if off + rdlen > len(msg):
                raise ValueError("rdata runs past the message")
            if rtype == 41:
                edns = {"payload": rclass, "ext_rcode": ttl >> 24, "version": (ttl >> 16) & 0xFF,
                        "do": bool(ttl & 0x8000)}
            else:
                records.append({"name": rname, "type": TYPE_NAMES.get(rtype, str(rtype)), "ttl": ttl,
                                "data": rdata_text(msg, rtype, off, rdlen)})
            off += rdlen
        sections.append(records)
    rcode_num = flags & 0xF
    if edns:
        rcode_num |= edns["ext_rcode"] << 4
    names = [("qr", 0x8000), ("aa", 0x0400), ("tc", 0x0200), ("rd", 0x0100), ("ra", 0x0080),
             ("ad", 0x0020), ("cd", 0x0010)]
    return {"id": qid, "rcode": RCODES.get(rcode_num, str(rcode_num)), "rcode_num": rcode_num,
            "opcode": (flags >> 11) & 0xF,
            "flags": [n for n, bit in names if flags & bit], "tc": bool(flags & 0x0200),
            "question": question, "answers": sections[0], "authority": sections[1],
            "additional": sections[2], "edns": edns, "size": len(msg), "trailing": len(msg) - off}


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("connection closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return buf


# ---------------------------------------------------------------------------------------------
# query

def cmd_batch(parser):
    """Each stdin line is the arguments of one `query` (shell words); one JSON line out per line.
    Saves a Python start-up per query for tests that ask many questions in a row."""
    import shlex
    for line in sys.stdin:
        if not line.strip():
            continue
        a = parser.parse_args(["query"] + shlex.split(line))
        cmd_query(a)
        sys.stdout.flush()
    return 0


def cmd_query(a):
    qid, msg = build_query(a.name, a.type, rd=not a.no_rd, edns=not a.no_edns,
                           edns_version=a.edns_version, bufsize=a.bufsize)
    start = time.monotonic()
    result = None
    try:
        if a.tcp:
            s = socket.socket(family_of(a.server), socket.SOCK_STREAM)
            s.settimeout(a.timeout)
            s.connect((a.server, a.port))
            s.sendall(struct.pack("!H", len(msg)) + msg)
            (n,) = struct.unpack("!H", recv_exact(s, 2))
            reply = recv_exact(s, n)
        else:
            s = socket.socket(family_of(a.server), socket.SOCK_DGRAM)
            s.settimeout(a.timeout)
            s.connect((a.server, a.port))
            s.send(msg)
            deadline = start + a.timeout
            while True:
                s.settimeout(max(0.001, deadline - time.monotonic()))
                reply = s.recv(65535)
                if len(reply) >= 2 and struct.unpack("!H", reply[:2])[0] == qid:
                    break
        result = parse_response(reply)
        if result["id"] != qid:
            result["id_mismatch"] = True
    except socket.timeout:
        result = {"rcode": "TIMEOUT"}
    except ConnectionRefusedError:
        result = {"rcode": "ICMP"}
    except ConnectionResetError:
        result = {"rcode": "RESET"}
    except (ConnectionError, ValueError) as e:
        result = {"rcode": "ERROR", "error": str(e)}
    result["elapsed_ms"] = round((time.monotonic() - start) * 1000, 3)
    print(json.dumps(result))
    return 0 if result["rcode"] not in ("TIMEOUT", "ICMP", "RESET", "ERROR") else 2


# ---------------------------------------------------------------------------------------------
# upstream

class Upstream:
    def __init__(self, a):
        self.mode = a.mode
        self.log = open(a.log, "a")
        self.lock = threading.Lock()
        self.records = {}
        for spec in a.record or []:
            name, addrs = spec.split("=", 1)
            self.records[name.lower().rstrip(".")] = addrs.split(",")

    def note(self, proto, name, qtype):
        with self.lock:
            self.log.write("%s %s %s\n" % (proto, name.lower().rstrip(".") or ".", TYPE_NAMES.get(qtype, str(qtype))))
            self.log.flush()

    def answer(self, query, proto):
        """The reply bytes for one query, or None to stay silent."""
        if len(query) < 12:
            return None
        qid, flags, qd = struct.unpack("!HHH", query[:6])
        try:
            qname, off = read_name(query, 12)
            qtype, qclass = struct.unpack("!HH", query[off:off + 4])
        except (ValueError, struct.error):
            return struct.pack("!HHHHHH", qid, 0x8001, 0, 0, 0, 0)
        self.note(proto, qname, qtype)
        question = query[12:off + 4]
        mode = self.mode
        if mode == "silent":
            return None
        rd = flags & 0x0100
        base = 0x8000 | rd | 0x0080
        if mode == "truncate" and proto == "udp":
            return struct.pack("!HHHHHH", qid, base | 0x0200, 1, 0, 0, 0) + question
        rcode = {"servfail": 2, "refused": 5, "nxdomain": 3}.get(mode, 0)
        answers = []
        if rcode == 0:
            addrs = self.records.get(qname.lower().rstrip("."))
            if addrs is None:
                rcode = 3
            else:
                for addr in addrs:
                    fam = family_of(addr)
                    t = 28 if fam == socket.AF_INET6 else 1
                    if t == qtype:
                        raw = socket.inet_pton(fam, addr)
                        answers.append(b"\xc0\x0c" + struct.pack("!HHIH", t, 1, 60, len(raw)) + raw)
        header = struct.pack("!HHHHHH", qid, base | rcode, 1, len(answers), 0, 0)
        return header + question + b"".join(answers)

    def serve_udp(self, s):
        while True:
            data, peer = s.recvfrom(65535)
            reply = self.answer(data, "udp")
            if reply is not None:
                s.sendto(reply, peer)

    def serve_tcp_conn(self, c):
        try:
            while True:
                (n,) = struct.unpack("!H", recv_exact(c, 2))
                reply = self.answer(recv_exact(c, n), "tcp")
                if reply is not None:
                    c.sendall(struct.pack("!H", len(reply)) + reply)
        except (ConnectionError, OSError, struct.error):
            pass
        finally:
            c.close()

    def serve_tcp(self, s):
        while True:
            c, _ = s.accept()
            threading.Thread(target=self.serve_tcp_conn, args=(c,), daemon=True).start()


def cmd_upstream(a):
    up = Upstream(a)
    fam = family_of(a.listen)
    u = socket.socket(fam, socket.SOCK_DGRAM)
    u.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    u.bind((a.listen, a.port))
    t = socket.socket(fam, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind((a.listen, a.port))
    t.listen(128)
    if a.ready:
        open(a.ready, "w").close()
    threading.Thread(target=up.serve_tcp, args=(t,), daemon=True).start()
    up.serve_udp(u)


# ---------------------------------------------------------------------------------------------
# churn-load

class Expect:
    def __init__(self, path):
        self.path = path
        self.key = None
        self.table = {}
        self.names = []
        self.refresh()

    def refresh(self):
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return
        key = (st.st_ino, st.st_mtime_ns, st.st_size)
        if key == self.key:
            return
        table = {}
        with open(self.path) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 2:
                    table[parts[0].lower().rstrip(".")] = parts[1]
        self.key, self.table = key, table
        self.names = sorted(table)


def cmd_churn_load(a):
    exp = Expect(a.expect)
    s = socket.socket(family_of(a.server), socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.connect((a.server, a.port))
    s.setblocking(False)
    counts = {"sent": 0, "answered": 0, "lost": 0, "wrong": 0, "changed": 0, "icmp": 0, "rcodes": {}}
    wrong_examples = []
    pending = {}          # id -> (name, expected, sent_at)
    interval = 1.0 / a.rate
    start = time.monotonic()
    next_send = start
    stop_sending = start + a.duration
    i = 0
    while True:
        now = time.monotonic()
        if a.stop_file and now < stop_sending and os.path.exists(a.stop_file):
            stop_sending = now
        if now >= stop_sending and not pending:
            break
        if now >= stop_sending + a.timeout:
            break
        if now >= next_send and now < stop_sending:
            exp.refresh()
            if exp.names:
                name = exp.names[i % len(exp.names)]
                i += 1
                qid = random.randrange(65536)
                while qid in pending:
                    qid = random.randrange(65536)
                _, msg = build_query(name, "A", qid=qid, edns=False)
                try:
                    s.send(msg)
                except ConnectionRefusedError:
                    counts["icmp"] += 1
                counts["sent"] += 1
                if a.ready and counts["sent"] == 1:
                    open(a.ready, "w").close()
                pending[qid] = (name, exp.table.get(name), now)
            next_send += interval
            continue
        # expire
        for qid in [q for q, p in pending.items() if now - p[2] > a.timeout]:
            counts["lost"] += 1
            del pending[qid]
        wait = max(0.0, min(next_send, stop_sending + a.timeout) - now) if now < stop_sending else 0.01
        r, _, _ = select.select([s], [], [], wait)
        if not r:
            continue
        while True:
            try:
                data = s.recv(65535)
            except BlockingIOError:
                break
            except ConnectionRefusedError:
                counts["icmp"] += 1
                continue
            try:
                resp = parse_response(data)
            except (ValueError, struct.error):
                continue
            p = pending.pop(resp["id"], None)
            if p is None:
                continue
            name, expected, _ = p
            counts["answered"] += 1
            counts["rcodes"][resp["rcode"]] = counts["rcodes"].get(resp["rcode"], 0) + 1
            exp.refresh()
            if exp.table.get(name) != expected:
                counts["changed"] += 1
                continue
            got = [r["data"] for r in resp["answers"] if r["type"] == "A"]
            if resp["rcode"] != "NOERROR" or got != [expected]:
                counts["wrong"] += 1
                if len(wrong_examples) < 10:
                    wrong_examples.append({"name": name, "expected": expected, "rcode": resp["rcode"], "got": got})
    counts["wrong_examples"] = wrong_examples
    counts["seconds"] = round(time.monotonic() - start, 3)
    print(json.dumps(counts))
    return 0


# ---------------------------------------------------------------------------------------------
# tcp-idle, garbage

def cmd_tcp_idle(a):
    # Non-blocking connects, all at once: a server that stops accepting must not make this take
    # count × timeout. Whatever has not connected within 5 s is given up.
    pending = []
    for _ in range(a.count):
        s = socket.socket(family_of(a.server), socket.SOCK_STREAM)
        s.setblocking(False)
        err = s.connect_ex((a.server, a.port))
        if err in (0, errno.EINPROGRESS):
            pending.append(s)
        else:
            s.close()
    connected = []
    deadline = time.monotonic() + 5
    while pending and time.monotonic() < deadline:
        _, w, _ = select.select([], pending, [], max(0.0, deadline - time.monotonic()))
        for s in w:
            pending.remove(s)
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                connected.append(s)
            else:
                s.close()
    if a.ready:
        with open(a.ready + ".tmp", "w") as f:
            f.write("opened %d of %d\n" % (len(connected), a.count))
        os.rename(a.ready + ".tmp", a.ready)
    end = time.monotonic() + a.hold
    while time.monotonic() < end:
        time.sleep(0.5)
    return 0


def garbage_packets(n):
    rnd = random.Random(15)
    out = [b"", b"\x00", b"\x12\x34", b"\x12\x34\x01\x00",               # shorter than a header
           struct.pack("!HHHHHH", 1, 0x0100, 1, 0, 0, 0),                  # question count 1, no question
           struct.pack("!HHHHHH", 2, 0x0100, 1, 0, 0, 0) + b"\x3fabc",     # label runs past the end
           struct.pack("!HHHHHH", 3, 0x0100, 1, 0, 0, 0) + b"\xc0\x0c\x00\x01\x00\x01",  # pointer loop
           struct.pack("!HHHHHH", 4, 0x0100, 1, 0, 0, 0) + b"\x01a\x00\x00",  # type cut short
           struct.pack("!HHHHHH", 5, 0x0100, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF),  # absurd counts
           struct.pack("!HHHHHH", 6, 0x8100, 1, 0, 0, 0) + encode_name("x") + b"\x00\x01\x00\x01",  # a response
           struct.pack("!HHHHHH", 7, 0x0100, 1, 0, 0, 1) + encode_name("x") + b"\x00\x01\x00\x01"
           + b"\x00\x00\x29\x10\x00\x00\x00\x00\x00\x00\x09",              # OPT rdlen past the end
           ]
    while len(out) < n:
        out.append(bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 600))))
    return out[:n]


def cmd_garbage(a):
    s = socket.socket(family_of(a.server), socket.SOCK_DGRAM)
    s.connect((a.server, a.port))
    s.settimeout(0.05)
    rcodes = {}
    replies = 0
    packets = garbage_packets(a.count)
    for p in packets:
        try:
            s.send(p)
        except OSError:
            pass
    end = time.monotonic() + 1.0
    while time.monotonic() < end:
        try:
            data = s.recv(65535)
        except socket.timeout:
            continue
        except OSError:
            continue
        replies += 1
        rc = RCODES.get(data[3] & 0xF, str(data[3] & 0xF)) if len(data) >= 4 else "short"
        rcodes[rc] = rcodes.get(rc, 0) + 1
    # TCP: a frame that promises more than it sends, then close; and a zero-length frame
    for frame in (b"\x00\x40" + b"\x01" * 10, b"\x00\x00", b"\xff\xff" + b"\x00" * 12):
        try:
            t = socket.create_connection((a.server, a.port), timeout=1)
            t.sendall(frame)
            t.close()
        except OSError:
            pass
    print(json.dumps({"sent": len(packets), "replies": replies, "rcodes": rcodes}))
    return 0


# ---------------------------------------------------------------------------------------------

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    q = sub.add_parser("query")
    q.add_argument("server")
    q.add_argument("name")
    q.add_argument("type", nargs="?", default="A")
    q.add_argument("--tcp", action="store_true")
    q.add_argument("--no-edns", action="store_true")
    q.add_argument("--edns-version", type=int, default=0)
    q.add_argument("--bufsize", type=int, default=1232)
    q.add_argument("--timeout", type=float, default=2.0)
    q.add_argument("--port", type=int, default=53)
    q.add_argument("--no-rd", action="store_true")
    u = sub.add_parser("upstream")
    u.add_argument("--listen", required=True)
    u.add_argument("--port", type=int, default=53)
    u.add_argument("--log", required=True)
    u.add_argument("--mode", default="answer",
                   choices=["answer", "nxdomain", "servfail", "refused", "silent", "truncate"])
    u.add_argument("--record", action="append")
    u.add_argument("--ready")
    c = sub.add_parser("churn-load")
    c.add_argument("server")
    c.add_argument("--expect", required=True)
    c.add_argument("--rate", type=float, default=200)
    c.add_argument("--duration", type=float, default=10)
    c.add_argument("--timeout", type=float, default=2.0)
    c.add_argument("--port", type=int, default=53)
    c.add_argument("--stop-file", help="stop sending once this file exists (then wait for answers)")
    c.add_argument("--ready", help="created once the first query has been sent")
    t = sub.add_parser("tcp-idle")
    t.add_argument("server")
    t.add_argument("--count", type=int, default=500)
    t.add_argument("--port", type=int, default=53)
    t.add_argument("--hold", type=float, default=300)
    t.add_argument("--ready")
    sub.add_parser("batch", help="queries from stdin, one per line (the arguments of `query`)")
    g = sub.add_parser("garbage")
    g.add_argument("server")
    g.add_argument("--port", type=int, default=53)
    g.add_argument("--count", type=int, default=200)
    a = p.parse_args()
    if a.cmd == "batch":
        return cmd_batch(p)
    return {"query": cmd_query, "upstream": cmd_upstream, "churn-load": cmd_churn_load,
            "tcp-idle": cmd_tcp_idle, "garbage": cmd_garbage}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
