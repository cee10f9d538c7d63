import BerthAddress
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

extension IPAddress {
    /// The IP address of a datagram's sender, without allocating (the per-query path).
    init?(_ address: SocketAddress?) {
        switch address {
        case .v4(let a):
            self = .v4(IPv4Address(UInt32(bigEndian: a.address.sin_addr.s_addr)))
        case .v6(let a):
            var raw = a.address.sin6_addr
            let (high, low) = withUnsafeBytes(of: &raw) {
                (UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                 UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
            }
            self = .v6(IPv6Address(high: high, low: low))
        default:
            return nil
        }
    }

    /// This address and `port` as a NIO socket address.
    func socketAddress(port: Int) -> SocketAddress {
        switch self {
        case .v4(let a):
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_port = in_port_t(UInt16(port).bigEndian)
            sin.sin_addr.s_addr = a.value.bigEndian
            return SocketAddress(sin, host: "")
        case .v6(let a):
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = in_port_t(UInt16(port).bigEndian)
            withUnsafeMutableBytes(of: &sin6.sin6_addr) {
                $0.storeBytes(of: a.high.bigEndian, toByteOffset: 0, as: UInt64.self)
                $0.storeBytes(of: a.low.bigEndian, toByteOffset: 8, as: UInt64.self)
            }
            return SocketAddress(sin6, host: "")
        }
    }
}

extension Duration {
    /// The same span as NIO's time amount.
    var timeAmount: TimeAmount {
        let (seconds, attoseconds) = components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
