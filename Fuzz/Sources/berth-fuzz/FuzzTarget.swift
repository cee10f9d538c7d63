import BerthCNI
import BerthNetlink

/// libFuzzer entry point. The first byte picks the parser, the rest is its input:
/// - even: a netlink datagram through the message splitter and every reply decoder Berth uses
///   (links, addresses, routes, errors with extended acks) and the attribute walker;
/// - odd: a CNI network configuration (JSON) through decoding and every translation into engine
///   requests, with the same bytes (up to the first NUL) as `CNI_ARGS`.
/// A crash, a trap (out-of-bounds, overflow) or a hang is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let input = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    switch data[0] % 2 {
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
