import BerthAddress
import BerthEngine
import Glibc

/// `network create --driver overlay`, every option checked before anything is asked of etcd
/// or the kernel: bad input fails here with one line and changes nothing.
public struct OverlayCreateRequest: Sendable, Equatable {
    public var name: String
    public var stated: StatedDefinition
    public var etcd: OverlayEtcdSettings
    /// `--vtep-address`; nil: the source address of the route to the first endpoint.
    public var vtep: IPv4Address?
    public var mtu: Int
    public var labels: [String: String]
    public var firewall: String?
    public var dns: Bool

    /// The raw options, as parsed from the command line.
    public struct Options: Sendable {
        public var name: String
        public var driver: String = "overlay"
        public var etcd: String?
        public var subnet: [String] = []
        public var hostPrefix: Int?
        public var vni: UInt32?
        public var port: Int?
        public var vtepAddress: String?
        public var etcdPrefix: String?
        public var caCert: String?
        public var cert: String?
        public var key: String?
        public var mtu: Int = 0
        public var labels: [String] = []
        public var firewall: String?
        public var dns = true
        public init(name: String) { self.name = name }
    }

    /// The largest VNI (24 bits).
    public static let maxVNI: UInt32 = (1 << 24) - 1

    /// Checks `o`; `readable` says whether a file can be read (tests pass their own).
    public static func validate(_ o: Options, readable: (String) -> Bool = { access($0, R_OK) == 0 }) throws -> OverlayCreateRequest {
        try Validation.networkName(o.name)
        guard o.driver == "overlay" else {
            throw BerthError.invalidArgument("berth-agent creates overlay networks only: --driver \(Validation.printable(o.driver)) is berth's")
        }
        guard let etcdText = o.etcd, !etcdText.isEmpty else {
            throw BerthError.invalidArgument("--driver overlay needs --etcd URL[,URL…]: the etcd endpoints every host of the network uses")
        }
        let endpoints = try EtcdEndpoint.parseList(etcdText)
        var stated = StatedDefinition()
        if o.subnet.count > 1 { throw BerthError.invalidArgument("--subnet may be given once for an overlay network (IPv4 only)") }
        if let text = o.subnet.first {
            guard let subnet = IPv4Subnet(text) else {
                throw BerthError.invalidArgument("--subnet '\(Validation.printable(text))' is not an IPv4 CIDR without host bits (an overlay network is IPv4 only)")
            }
            guard subnet.prefixLength <= 29 else {
                throw BerthError.invalidArgument("--subnet \(subnet) is too small for an overlay network: it is split into one block per host")
            }
            stated.subnet = subnet
        }
        if let p = o.hostPrefix {
            let floor = stated.subnet?.prefixLength ?? 0
            guard p > floor, p <= 30 else {
                throw BerthError.invalidArgument("--host-prefix \(p) does not fit: it must be longer than the subnet's prefix (/\(stated.subnet.map { "\($0.prefixLength)" } ?? "…")) and at most 30")
            }
            stated.hostPrefix = p
        }
        if let vni = o.vni {
            guard vni >= 1, vni <= maxVNI else { throw BerthError.invalidArgument("--vni \(vni) is out of range 1-\(maxVNI)") }
            stated.vni = vni
        }
        if let port = o.port {
            guard (1...65535).contains(port) else { throw BerthError.invalidArgument("--port \(port) is out of range 1-65535") }
            stated.port = UInt16(port)
        }
        var vtep: IPv4Address?
        if let text = o.vtepAddress {
            guard let a = IPv4Address(text), a.value != 0, !a.isMulticast, !a.isLoopback, a.value != .max else {
                throw BerthError.invalidArgument("--vtep-address '\(Validation.printable(text))' is not a unicast IPv4 address of this host")
            }
            vtep = a
        } else if endpoints.first?.address == nil {
            throw BerthError.invalidArgument("etcd endpoint \(endpoints[0].url) names a host, not an address: give --vtep-address (this host's underlay address)")
        }
        let prefix = try EtcdEndpoint.keyPrefix(o.etcdPrefix ?? "/berth")
        try checkTLS(o, endpoints: endpoints, readable: readable)
        guard o.mtu == 0 || (68...65535).contains(o.mtu) else {
            throw BerthError.invalidArgument("--mtu \(o.mtu) is out of range 68-65535")
        }
        if let firewall = o.firewall, firewall != "nftables", firewall != "none" {
            throw BerthError.invalidArgument("--firewall '\(Validation.printable(firewall))' is not one of: nftables, none")
        }
        return OverlayCreateRequest(
            name: o.name, stated: stated,
            etcd: OverlayEtcdSettings(endpoints: endpoints.map(\.url), prefix: prefix, caCert: o.caCert, cert: o.cert, key: o.key),
            vtep: vtep, mtu: o.mtu, labels: try parseLabels(o.labels), firewall: o.firewall, dns: o.dns)
    }

    /// TLS files: a client certificate and its key go together, every file must be readable,
    /// and they make sense only with https:// endpoints.
    static func checkTLS(_ o: Options, endpoints: [EtcdEndpoint], readable: (String) -> Bool) throws {
        let files = [("--etcd-cacert", o.caCert), ("--etcd-cert", o.cert), ("--etcd-key", o.key)]
        if (o.cert == nil) != (o.key == nil) {
            throw BerthError.invalidArgument("--etcd-cert and --etcd-key go together: give both or neither")
        }
        for (flag, path) in files {
            guard let path else { continue }
            if !endpoints.contains(where: \.isTLS) {
                throw BerthError.invalidArgument("\(flag) is for https:// etcd endpoints; --etcd has only http://")
            }
            guard !path.isEmpty, readable(path) else {
                throw BerthError.invalidArgument("\(flag) \(Validation.printable(path)): cannot read the file")
            }
        }
    }

    /// `KEY=VALUE` labels.
    static func parseLabels(_ items: [String]) throws -> [String: String] {
        var labels: [String: String] = [:]
        for item in items {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                throw BerthError.invalidArgument("invalid label '\(Validation.printable(item))': expected KEY=VALUE")
            }
            labels[String(item[..<eq])] = String(item[item.index(after: eq)...])
        }
        return labels
    }
}

/// One etcd endpoint URL: `http://ADDRESS:PORT` or `https://HOST:PORT` (port default 2379).
public struct EtcdEndpoint: Sendable, Equatable {
    public var url: String
    public var isTLS: Bool
    public var host: String
    public var port: Int
    /// The host as an IPv4 address, when it is one (the VTEP's default comes from its route).
    public var address: IPv4Address? { IPv4Address(host) }

    /// Parses one URL; a one-line error naming it otherwise.
    public init(_ text: String) throws {
        let bad = BerthError.invalidArgument("--etcd '\(Validation.printable(text))' is not an etcd URL: expected http://ADDRESS:PORT or https://HOST:PORT")
        let rest: Substring
        if text.hasPrefix("http://") { isTLS = false; rest = text.dropFirst(7) } else if text.hasPrefix("https://") { isTLS = true; rest = text.dropFirst(8) } else { throw bad }
        let authority = rest.hasSuffix("/") ? rest.dropLast() : rest
        guard !authority.isEmpty, !authority.contains("/"), !authority.contains("@"), !authority.contains(where: { $0 == " " }) else { throw bad }
        if let colon = authority.lastIndex(of: ":") {
            guard let p = Int(authority[authority.index(after: colon)...]), (1...65535).contains(p) else { throw bad }
            host = String(authority[..<colon])
            port = p
        } else {
            host = String(authority)
            port = 2379
        }
        guard !host.isEmpty, host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }) else { throw bad }
        url = (isTLS ? "https://" : "http://") + host + ":\(port)"
    }

    /// A comma-separated list, at least one.
    public static func parseList(_ text: String) throws -> [EtcdEndpoint] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { String($0) }
        guard !items.isEmpty else { throw BerthError.invalidArgument("--etcd needs at least one URL") }
        return try items.map { try EtcdEndpoint($0) }
    }

    /// The key prefix: absolute, no trailing slash, printable, no spaces.
    public static func keyPrefix(_ text: String) throws -> String {
        var p = text
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        guard p.hasPrefix("/"), p.count > 1, p.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7f }) else {
            throw BerthError.invalidArgument("--etcd-prefix '\(Validation.printable(text))' must be an absolute key path such as /berth")
        }
        return p
    }
}
