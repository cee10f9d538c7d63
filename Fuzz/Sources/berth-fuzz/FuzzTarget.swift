import BerthCNI
import BerthDNSWire
import BerthNetlink

/// libFuzzer entry point. The first byte picks the parser (modulo 3), the rest is its input:
/// - 0: a netlink datagram through the message splitter and every reply decoder Berth uses
///   (links, addresses, routes, errors with extended acks) and the attribute walker;
/// - 1: a CNI network configuration (JSON) through decoding and every translation into engine
///   requests, with the same bytes (up to the first NUL) as `CNI_ARGS`;
/// - 2: a DNS message (from a container or an upstream server) through the wire codec, which
///   must write back what it parsed in a form that parses to the same bytes again.
/// A crash, a trap (out-of-bounds, overflow) or a hang is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let input = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    switch data[0] % 3 {
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
