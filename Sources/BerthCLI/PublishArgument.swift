import BerthAddress

/// Parses `--publish [HOST_IP:]HOST_PORT[-END]:CONTAINER_PORT[-END][/tcp|/udp]` (default tcp;
/// `0.0.0.0` or no HOST_IP: every local address). Shared by swift-argument-parser and
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
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3 else { throw invalid("malformed port mapping '\(text)'") }
        var hostIP: IPv4Address?
        if parts.count == 3 {
            guard let ip = IPv4Address(parts[0]) else { throw invalid("bad host address in '\(text)'") }
            hostIP = ip.value == 0 ? nil : ip
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
