import BerthAddress

/// The two eBPF classifiers of an overlay network's fast path (docs/overlay.md, "Fast path").
///
/// Without them a packet between a container and another host crosses, on each host, the
/// container's veth queue, the bridge, the IP forward path and every netfilter hook with
/// conntrack. With them:
/// - **into a container** (TCX ingress of the VXLAN device): a packet from the overlay for an
///   address in ``OverlayFastPath``'s map goes straight into the container's namespace
///   (`bpf_redirect_peer`), with the MACs the bridge would have given it;
/// - **out of a container** (a tc classifier on each container veth's ingress, before the
///   bridge): a packet from the host's block to another block of the overlay goes straight to
///   the VXLAN device (`bpf_fib_lookup` as if it arrived on the bridge: the kernel's route and
///   the agent's static neighbour pick the peer, as for a routed packet; then `bpf_redirect`).
///
/// Both decrement the TTL (and fix the IPv4 checksum) like the router the host is, and leave
/// everything else to the kernel's normal path (TCX "next"): other protocols, other addresses,
/// IP options, a TTL about to expire (the kernel sends the ICMP error), frames not addressed to
/// the host, VLAN-tagged frames (a tag the kernel keeps beside the frame: the bridge would not
/// forward them). What they let through is exactly what Berth's firewall accepts between a block and
/// its overlay (`forward` / `guard` chains): sources in the block going out, sources in the
/// overlay coming in.
public enum OverlayFastPathPrograms {
    /// Kernel helper ids (include/uapi/linux/bpf.h, `__BPF_FUNC_MAPPER`).
    enum Helper {
        static let mapLookup: Int32 = 1
        static let l3ChecksumReplace: Int32 = 10
        static let redirect: Int32 = 23
        static let fibLookup: Int32 = 69
        static let redirectPeer: Int32 = 155
    }

    /// `struct __sk_buff` offsets.
    enum Context {
        static let packetType: Int16 = 4
        static let vlanPresent: Int16 = 20
        static let data: Int16 = 76
        static let dataEnd: Int16 = 80
    }

    /// `struct bpf_fib_lookup` offsets (64 bytes; stable ABI: later kernels only add to unions).
    enum FibLookup {
        static let family: Int16 = 0
        static let ifindex: Int16 = 8
        static let source: Int16 = 16
        static let destination: Int16 = 32
        static let sourceMAC: Int16 = 52
        static let destinationMAC: Int16 = 58
    }

    /// Packet offsets: Ethernet header, then IPv4.
    enum Packet {
        static let etherType: Int16 = 12
        static let versionAndLength: Int16 = 14
        static let ttl: Int16 = 22          // with the protocol after it: one 16-bit word
        static let checksum: Int32 = 24
        static let source: Int16 = 26
        static let destination: Int16 = 30
        static let headersEnd: Int32 = 34
    }

    /// TCX's "continue with the next program, then the stack".
    static let next: Int32 = -1

    /// An address or mask as the program reads it: the four bytes in network order, loaded as
    /// one 32-bit little-endian word.
    static func wire(_ value: UInt32) -> UInt32 { value.bigEndian }

    /// The checks both programs start with: an IPv4 packet addressed to this host (the kernel's
    /// PACKET_HOST, or — on a container veth, whose own MAC the frame does not carry — to the
    /// bridge's `gatewayMAC`), with a plain 20-byte header, whose source lies in `source`.
    /// Leaves the context in r6 and the packet in r2.
    static func prologue(_ a: inout BPFAssembler, source: IPv4Subnet, gatewayMAC: MACAddress? = nil) {
        a.move(.r6, .r1)
        if gatewayMAC == nil {
            a.load(.r4, .word, .r6, Context.packetType)
            a.jump32(.notEqual, .r4, 0, to: "next")                       // PACKET_HOST only
        }
        a.load(.r4, .word, .r6, Context.vlanPresent)
        a.jump32(.notEqual, .r4, 0, to: "next")                           // no VLAN tag beside it
        bounds(&a)
        if let mac = gatewayMAC?.bytes {
            let head = UInt32(mac[0]) | UInt32(mac[1]) << 8 | UInt32(mac[2]) << 16 | UInt32(mac[3]) << 24
            a.load(.r4, .word, .r2, 0)
            a.jump32(.notEqual, .r4, head, to: "next")
            a.load(.r4, .half, .r2, 4)
            a.jump32(.notEqual, .r4, UInt32(mac[4]) | UInt32(mac[5]) << 8, to: "next")
        }
        a.load(.r4, .half, .r2, Packet.etherType)
        a.jump32(.notEqual, .r4, UInt32(UInt16(0x0800).bigEndian), to: "next")
        a.load(.r4, .byte, .r2, Packet.versionAndLength)
        a.jump32(.notEqual, .r4, 0x45, to: "next")
        a.load(.r4, .word, .r2, Packet.source)
        a.and32(.r4, wire(IPv4Subnet.mask(source.prefixLength)))
        a.jump32(.notEqual, .r4, wire(source.network.value), to: "next")
    }

    /// r2 = packet start, r3 = end, and the verifier's proof that the headers are there.
    static func bounds(_ a: inout BPFAssembler) {
        a.load(.r2, .word, .r6, Context.data)
        a.load(.r3, .word, .r6, Context.dataEnd)
        a.move(.r4, .r2)
        a.add(.r4, Packet.headersEnd)
        a.jump(.greater, .r4, .r3, to: "next")
    }

    /// r8 = the TTL/protocol word; on to "next" unless the TTL is above 1.
    static func loadTTL(_ a: inout BPFAssembler) {
        a.load(.r8, .half, .r2, Packet.ttl)
        a.move(.r4, .r8)
        a.and32(.r4, 0xFF)
        a.jump32(.lessOrEqual, .r4, 1, to: "next")
    }

    /// TTL − 1 (the low byte of the little-endian word; above 1, so no borrow) and the checksum
    /// updated for it. Packet pointers are void afterwards.
    static func decrementTTL(_ a: inout BPFAssembler) {
        a.move(.r1, .r8)
        a.add(.r1, -1)
        a.store(.r2, Packet.ttl, .half, .r1)
        a.move(.r1, .r6)
        a.move(.r2, Packet.checksum)
        a.move(.r3, .r8)
        a.move(.r4, .r8)
        a.add(.r4, -1)
        a.move(.r5, 2)                                                     // a 2-byte field
        a.call(Helper.l3ChecksumReplace)
    }

    static func epilogue(_ a: inout BPFAssembler) {
        a.label("next")
        a.move(.r0, next)
        a.exit()
    }

    /// The classifier on the VXLAN device's ingress: sources in `overlay`; the destination looked
    /// up in the map `mapFD` (``OverlayFastPath/Entry``); a hit goes into that container.
    public static func intoContainers(mapFD: Int32, overlay: IPv4Subnet) -> [BPFInstruction] {
        var a = BPFAssembler()
        prologue(&a, source: overlay)
        a.load(.r7, .word, .r2, Packet.destination)
        a.store(.r10, -4, .word, .r7)                                      // the key, on the stack
        loadTTL(&a)
        a.loadMap(.r1, fd: mapFD)
        a.move(.r2, .r10)
        a.add(.r2, -4)
        a.call(Helper.mapLookup)
        a.jump(.equal, .r0, 0, to: "next")                                 // no entry
        a.move(.r9, .r0)
        bounds(&a)                                                         // the call voided r2 and r3
        // Ethernet addresses from the entry: the container's (bytes 4–9), the bridge's (10–15).
        a.load(.r1, .word, .r9, 4); a.store(.r2, 0, .word, .r1)
        a.load(.r1, .half, .r9, 8); a.store(.r2, 4, .half, .r1)
        a.load(.r1, .half, .r9, 10); a.store(.r2, 6, .half, .r1)
        a.load(.r1, .word, .r9, 12); a.store(.r2, 8, .word, .r1)
        decrementTTL(&a)
        a.load(.r1, .word, .r9, 0)                                         // the host end's ifindex
        a.move(.r2, 0)
        a.call(Helper.redirectPeer)
        a.exit()
        epilogue(&a)
        return a.assemble()
    }

    /// The classifier on container veths' ingress: sources in the host's `block`, destinations
    /// in the rest of `overlay`, sent out of the VXLAN device `vxlanIndex`. The route is looked
    /// up as for a packet arriving on the bridge `bridgeIndex`, as the normal path does (rules
    /// with `iif`, the bridge's own forwarding setting). It names the map `mapFD` without
    /// reading it, so an attach finds the map from the bridge it already knows
    /// (``OverlayFastPath/open(bridgeIndex:)``).
    public static func outOfContainers(mapFD: Int32, block: IPv4Subnet, overlay: IPv4Subnet, vxlanIndex: Int32,
                                       bridgeIndex: Int32, gatewayMAC: MACAddress) -> [BPFInstruction] {
        var a = BPFAssembler()
        a.loadMap(.r0, fd: mapFD)
        prologue(&a, source: block, gatewayMAC: gatewayMAC)
        a.load(.r4, .word, .r2, Packet.destination)
        a.move(.r5, .r4)
        a.and32(.r5, wire(IPv4Subnet.mask(overlay.prefixLength)))
        a.jump32(.notEqual, .r5, wire(overlay.network.value), to: "next")
        a.and32(.r4, wire(IPv4Subnet.mask(block.prefixLength)))
        a.jump32(.equal, .r4, wire(block.network.value), to: "next")
        loadTTL(&a)
        // The kernel's own forwarding decision (`bpf_fib_lookup`, struct bpf_fib_lookup on the
        // stack at r10 − 64): only a route through the VXLAN device with its neighbour resolved
        // — a peer the agent programmed — is taken here; anything else (no peer for that block,
        // a route elsewhere) goes the normal path, which never creates a neighbour on the
        // VXLAN device either.
        a.move(.r1, 0)
        for offset in stride(from: Int16(-64), to: 0, by: 8) { a.store(.r10, offset, .double, .r1) }
        a.move(.r1, 2)                                                     // AF_INET
        a.store(.r10, -64 + FibLookup.family, .byte, .r1)
        a.move(.r1, bridgeIndex)
        a.store(.r10, -64 + FibLookup.ifindex, .word, .r1)
        a.load(.r1, .word, .r2, Packet.source)
        a.store(.r10, -64 + FibLookup.source, .word, .r1)
        a.load(.r1, .word, .r2, Packet.destination)
        a.store(.r10, -64 + FibLookup.destination, .word, .r1)
        a.move(.r1, .r6)
        a.move(.r2, .r10)
        a.add(.r2, -64)
        a.move(.r3, 64)
        a.move(.r4, 0)
        a.call(Helper.fibLookup)
        a.jump32(.notEqual, .r0, 0, to: "next")                            // BPF_FIB_LKUP_RET_SUCCESS only
        a.load(.r1, .word, .r10, -64 + FibLookup.ifindex)
        a.jump32(.notEqual, .r1, UInt32(bitPattern: vxlanIndex), to: "next")
        bounds(&a)                                                         // the call voided r2 and r3
        // The peer's MAC (the agent's neighbour) and the VXLAN device's, as the kernel found them.
        // (16-bit copies: the MACs sit at offsets 52 and 58, where the verifier allows no wider
        // stack access.)
        for i: Int16 in [0, 2, 4] {
            a.load(.r1, .half, .r10, -64 + FibLookup.destinationMAC + i); a.store(.r2, i, .half, .r1)
            a.load(.r1, .half, .r10, -64 + FibLookup.sourceMAC + i); a.store(.r2, 6 + i, .half, .r1)
        }
        decrementTTL(&a)
        a.move(.r1, vxlanIndex)
        a.move(.r2, 0)
        a.call(Helper.redirect)
        a.exit()
        epilogue(&a)
        return a.assemble()
    }
}
