#!/usr/bin/env python3
"""A tiny IPv6 router: sends ICMPv6 Router Advertisements (RFC 4861 4.2) on one interface.

    ra_sender.py IFNAME SOURCE_LL PREFIX/64 [PREFIX/64...] [--interval SECONDS] [--count N]

Used by the integration tests (tests/integration/lib.sh: start_ra_sender) inside the sandbox's
upstream netns only; started and ended by its recorded PID. Every RA goes to ff02::1 on IFNAME
from SOURCE_LL (a link-local address the caller configured on IFNAME without DAD), with hop limit
255, a router lifetime of 1800 s, the interface's MAC as source link-layer address option and one
prefix information option per PREFIX with the on-link and autonomous flags (valid 3600 s,
preferred 1800 s), so a receiver with accept_ra on forms a SLAAC address and a `proto ra`
default route via SOURCE_LL. Sends every --interval seconds (default 0.5) until killed, or
--count times (a link not yet ready for IPv6 is waited for, up to 20 s). Prints "sent N" on stdout after each RA (flushed), so a caller can wait for it.
The kernel fills in the ICMPv6 checksum of a raw IPPROTO_ICMPV6 socket.
"""
import errno
import ipaddress
import socket
import struct
import sys
import time


def ra_packet(mac, prefixes):
    # type 134, code 0, checksum 0 (kernel), cur hop limit 64, flags 0 (no M/O),
    # router lifetime 1800, reachable time 0, retrans timer 0
    pkt = struct.pack("!BBHBBHII", 134, 0, 0, 64, 0, 1800, 0, 0)
    if mac:
        pkt += struct.pack("!BB", 1, 1) + mac                       # source link-layer address
    for net in prefixes:
        pkt += struct.pack("!BBBBIII", 3, 4, net.prefixlen, 0xC0,   # L and A flags
                           3600, 1800, 0) + net.network_address.packed
    return pkt


def main(argv):
    interval, count, args = 0.5, 0, []
    i = 0
    while i < len(argv):
        if argv[i] == "--interval":
            interval = float(argv[i + 1]); i += 2
        elif argv[i] == "--count":
            count = int(argv[i + 1]); i += 2
        else:
            args.append(argv[i]); i += 1
    if len(args) < 3:
        sys.exit(__doc__)
    ifname, source = args[0], ipaddress.IPv6Address(args[1])
    if not source.is_link_local:
        sys.exit("source %s is not link-local" % source)
    prefixes = [ipaddress.IPv6Network(p) for p in args[2:]]
    ifindex = socket.if_nametoindex(ifname)
    try:
        with open("/sys/class/net/%s/address" % ifname) as f:
            mac = bytes.fromhex(f.read().strip().replace(":", ""))
    except OSError:
        mac = b""
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, 255)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 255)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, ifindex)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP, 0)
    s.bind((str(source), 0, 0, ifindex))
    pkt = ra_packet(mac, prefixes)
    sent = 0
    deadline = time.monotonic() + 20
    while True:
        try:
            s.sendto(pkt, ("ff02::1", 0, 0, ifindex))
        except OSError as e:
            # a link just brought up has no IPv6 multicast route until the kernel sees it running
            if e.errno in (errno.ENETUNREACH, errno.EADDRNOTAVAIL) and time.monotonic() < deadline:
                time.sleep(0.05)
                continue
            raise
        sent += 1
        print("sent %d" % sent, flush=True)
        if count and sent >= count:
            return
        time.sleep(interval)


if __name__ == "__main__":
    main(sys.argv[1:])
