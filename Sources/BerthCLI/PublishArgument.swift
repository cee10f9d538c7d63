import BerthAddress

/// Parses `--publish [HOST_IP:]HOST_PORT[-END]:CONTAINER_PORT[-END][/tcp|/udp]` (default tcp).
/// HOST_IP is an IPv4 address or a bracketed IPv6 one (`[2001:db8::5]`); none publishes on every
/// local address of both families, `0.0.0.0` on every IPv4 one, `[::]` on every IPv6 one. Shared by swift-argument-parser and
/// ``FastPath`` so both accept exactly the same values.
enum PublishArgument {
    /// A malformed value; the message says what is expected.
    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    static func parse(_ text: String) throws -> PortMapping {
        func invalid(_ why: String) -> Invalid {
            Invalid(description: "\(why): expected [HOST_IP:]HOST_PORT[-END]:CONTAINER_PORT[-END][/tcp|/udp]")
        }
        var spec = Substring(text)
        var proto = TransportProtocol.tcp
        if let slash = spec.lastIndex(of: "/") {
            guard let p = TransportProtocol(rawValue: String(spec[spec.index(after: slash)...])) else {
                throw invalid("unknown protocol in '\(text)'")
            }
            proto = p
            spec = spec[..<slash]
        }
        var hostIP: IPAddress?
        if spec.first == "[" {
            // `[IPv6]:…`: the brackets keep the address's colons apart from the ports'.
            guard let close = spec.firstIndex(of: "]"), spec[spec.index(after: close)...].first == ":",
                  let ip = IPv6Address(spec[spec.index(after: spec.startIndex)..<close]) else {
                throw invalid("bad IPv6 host address in '\(text)' (write it in brackets: [2001:db8::5]:8080:80)")
            }
            hostIP = .v6(ip)
            spec = spec[spec.index(close, offsetBy: 2)...]
        }
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || (hostIP == nil && parts.count == 3) else {
            throw invalid(hostIP == nil && parts.count > 3
                          ? "malformed port mapping '\(text)' (an IPv6 host address goes in brackets: [2001:db8::5]:8080:80)"
                          : "malformed port mapping '\(text)'")
        }
        if parts.count == 3 {
            guard let ip = IPv4Address(parts[0]) else { throw invalid("bad host address in '\(text)'") }
            hostIP = .v4(ip)
        }
        guard let host = range(parts[parts.count - 2]), let container = range(parts[parts.count - 1]) else {
            throw invalid("bad port or range in '\(text)' (ports are 1-65535)")
        }
        guard host.count == container.count else {
            throw invalid("host and container ranges differ in length in '\(text)'")
        }
        return PortMapping(hostIP: hostIP, hostPort: host.start, containerPort: container.start,
                           count: host.count, proto: proto)
    }

    /// `N` or `N-M` with 1 ≤ N ≤ M ≤ 65535.
    private static func range(_ text: Substring) -> (start: UInt16, count: UInt16)? {
        let ends = text.split(separator: "-", omittingEmptySubsequences: false)
        guard ends.count == 1 || ends.count == 2 else { return nil }
        guard let first = port(ends[0]), let last = ends.count == 2 ? port(ends[1]) : first, last >= first else {
            return nil
        }
        return (first, last - first + 1)
    }

    private static func port(_ text: Substring) -> UInt16? {
        guard !text.isEmpty, text.count <= 5, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
              let value = UInt16(text), value >= 1 else { return nil }
        return value
    }
}
