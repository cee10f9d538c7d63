import BerthAddress
import BerthCNI
import BerthDNSCore
import BerthDNSWire
import BerthNetavark
import BerthNetlink

/// libFuzzer entry point. The first byte picks the parser (modulo 5), the rest is its input:
/// - 0: a netlink datagram through the message splitter and every reply decoder Berth uses
///   (links, addresses, routes, errors with extended acks) and the attribute walker;
/// - 1: a CNI network configuration (JSON) through decoding and every translation into engine
///   requests, with the same bytes (up to the first NUL) as `CNI_ARGS`;
/// - 2: a DNS message (from a container or an upstream server) through the wire codec, which
///   must write back what it parsed in a form that parses to the same bytes again;
/// - 3: a query to berth-dns's resolver, from a container on a dual-stack network with names,
///   shared aliases and a second network, over UDP and over TCP; every answer must parse;
/// - 4: Podman's network options (JSON) through the netavark front end's decoding and its
///   translations into engine requests, with the same bytes (split at NULs, up to the first
///   `{`) as its command line.
/// A crash, a trap (out-of-bounds, overflow) or a hang is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let input = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    switch data[0] % 5 {
    case 4:
        let words = input.prefix { $0 != UInt8(ascii: "{") }.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        NetavarkFuzzing.parse(options: input, arguments: words)
    case 3:
        fuzzResolver(input)
    case 2:
        fuzzDNS(input)
    case 1:
        let args = String(decoding: input.prefix { $0 != 0 }, as: UTF8.self)
        CNIFuzzing.parse(config: input, args: args)
    default:
        for message in NetlinkMessage.parse(input) {
            _ = LinkInfo(message)
            _ = AddressInfo(message)
            _ = RouteInfo(message)
            _ = Address6Info(message)
            _ = Route6Info(message)
            _ = RouteSession.decodeError(message, operation: "fuzz")
            let attributes = NetlinkAttributes(message.payload)
            for type in UInt16(0)..<64 {
                _ = attributes.string(type)
                _ = attributes.u32(type)
                _ = attributes.nested(type)?.string(1)
            }
        }
    }
    return 0
}

/// Parses `input` as a DNS message and, when it parses, checks that writing it is stable: the
/// written bytes parse, and write back identically (names are re-compressed and may take the
/// case of an earlier equal name, so the first write may differ from the input). Also drives
/// the FORMERR path, truncated writing, the text form of names and TCP reassembly.
func fuzzDNS(_ input: [UInt8]) {
    _ = DNSMessage.formatErrorResponse(toUnparsable: input)?.serialize()
    var stream = DNSTCPStreamParser()
    stream.append(input)
    while let framed = try? stream.next() { _ = try? DNSMessage(parsing: framed) }

    guard let message = try? DNSMessage(parsing: input) else { return }
    let written = message.serialize()
    guard let again = try? DNSMessage(parsing: written) else { fatalError("a written message does not parse") }
    precondition(again.serialize() == written, "writing a parsed message is not stable")
    guard (try? DNSMessage(parsing: message.serialize(maxSize: 512))) != nil else {
        fatalError("a truncated message does not parse")
    }
    _ = message.response(rcode: .refused).serialize(maxSize: message.maxUDPResponseSize)
    for name in message.questions.map(\.name) + message.answers.map(\.name) {
        precondition((try? DNSName(name.description)) == name, "a name's text form does not parse back")
        _ = name.reverseAddress
    }
}

/// Two DNS networks, a multi-homed client and names (several sharing an alias), as berth-dns
/// would hold them.
let fuzzSnapshot: DNSSnapshot = {
    let key = DNSContainerKey(device: 1, inode: 1)
    let networks = [
        DNSNetworkEntry(name: "app", domain: "berth.internal", isInternal: false, upstreams: [],
                        subnet: IPv4Subnet("10.88.0.0/24"), gateway: IPv4Address("10.88.0.1"),
                        subnet6: IPv6Subnet("fd00:88::/64"), gateway6: IPv6Address("fd00:88::1")),
        DNSNetworkEntry(name: "db", domain: "db.internal", isInternal: true, upstreams: [],
                        subnet: IPv4Subnet("10.89.0.0/24"), gateway: IPv4Address("10.89.0.1"),
                        subnet6: nil, gateway6: nil),
    ]
    var endpoints = [
        DNSEndpointEntry(id: "client", network: "app", container: key, name: "client", aliases: ["c"],
                         address: IPv4Address("10.88.0.2"), address6: IPv6Address("fd00:88::2")),
        DNSEndpointEntry(id: "client-db", network: "db", container: key, name: "client", aliases: [],
                         address: IPv4Address("10.89.0.2"), address6: nil),
    ]
    for i in 0..<40 {
        endpoints.append(DNSEndpointEntry(
            id: "web\(i)", network: "app", container: DNSContainerKey(device: 1, inode: UInt64(10 + i)),
            name: "web\(i)", aliases: ["web", "a.b"], address: IPv4Address("10.88.0.\(10 + i)"),
            address6: IPv6Address("fd00:88::\(10 + i)")))
    }
    return DNSSnapshot(generation: 7, networks: networks, endpoints: endpoints)
}()

/// Runs `input` through the resolver as a query from the multi-homed client (and from a
/// stranger), over both transports; what it answers must parse.
func fuzzResolver(_ input: [UInt8]) {
    let clients: [IPAddress] = [.v4(IPv4Address("10.88.0.2")!), .v6(IPv6Address("fd00:88::2")!),
                                .v4(IPv4Address("10.88.0.99")!)]
    for (index, client) in clients.enumerated() {
        let transport: DNSTransport = index == 1 ? .tcp : .udp
        let (decision, _) = DNSResolver.decide(input, from: client, listenerNetwork: "app", transport: transport,
                                               snapshot: fuzzSnapshot, rotation: input.count)
        switch decision {
        case .respond(let bytes):
            guard (try? DNSMessage(parsing: bytes)) != nil else { fatalError("the resolver wrote a reply that does not parse") }
            if transport == .udp, let query = try? DNSMessage(parsing: input) {
                precondition(bytes.count <= query.maxUDPResponseSize, "a UDP reply larger than the client allows")
            }
        case .forward(let query, _):
            _ = DNSResolver.relay(query.response(), to: query, transport: transport)
            _ = DNSResolver.serverFailure(for: query, transport: transport)
        case .drop:
            break
        }
    }
}
