/// One etcd URL, `http://HOST:PORT` or `https://HOST:PORT` (port 2379 when left out; IPv6
/// addresses in brackets).
struct EtcdEndpoint: Sendable, Equatable {
    var url: String
    var secure: Bool
    var host: String
    var port: Int

    init(_ text: String) throws {
        var rest = Substring(text)
        if rest.hasPrefix("http://") { secure = false; rest = rest.dropFirst(7) }
        else if rest.hasPrefix("https://") { secure = true; rest = rest.dropFirst(8) }
        else { throw EtcdError.malformed(reason: "etcd endpoint '\(text)' must start with http:// or https://") }
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.isEmpty, !rest.contains("/") else {
            throw EtcdError.malformed(reason: "etcd endpoint '\(text)' must be scheme://host[:port] without a path")
        }
        var hostPart = rest
        var portPart: Substring? = nil
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw EtcdError.malformed(reason: "etcd endpoint '\(text)' has an unclosed '['") }
            hostPart = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { portPart = after.dropFirst() } else if !after.isEmpty {
                throw EtcdError.malformed(reason: "etcd endpoint '\(text)' is not host:port")
            }
        } else if let colon = rest.lastIndex(of: ":") {
            hostPart = rest[..<colon]
            portPart = rest[rest.index(after: colon)...]
        }
        port = 2379
        if let p = portPart {
            guard let n = Int(p), (1...65535).contains(n) else { throw EtcdError.malformed(reason: "etcd endpoint '\(text)' has a bad port") }
            port = n
        }
        guard !hostPart.isEmpty else { throw EtcdError.malformed(reason: "etcd endpoint '\(text)' has no host") }
        host = String(hostPart)
        url = text
    }

    /// The Host header: brackets around an IPv6 address.
    var hostHeader: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// Whether `host` is an address literal (TLS sends no SNI for those).
    var hostIsAddress: Bool {
        host.contains(":") || host.utf8.allSatisfy { $0 == UInt8(ascii: ".") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }
}
