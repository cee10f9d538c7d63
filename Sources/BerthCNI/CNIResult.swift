import BerthJSON

/// A CNI result: what an ADD made, and the `prevResult` a chain passes along. One model for
/// every version; ``json(version:)`` writes the shape the requested version defines.
public struct CNIResult: Sendable, Equatable {
    public struct Interface: Sendable, Equatable {
        public var name: String
        public var mac: String?
        public var mtu: Int?
        public var sandbox: String?
        public init(name: String, mac: String? = nil, mtu: Int? = nil, sandbox: String? = nil) {
            self.name = name; self.mac = mac; self.mtu = mtu; self.sandbox = sandbox
        }
    }

    public struct IPConfig: Sendable, Equatable {
        /// CIDR notation: the address and the subnet's prefix length.
        public var address: String
        public var gateway: String?
        /// Index into ``CNIResult/interfaces``.
        public var interface: Int?
        public init(address: String, gateway: String? = nil, interface: Int? = nil) {
            self.address = address; self.gateway = gateway; self.interface = interface
        }
    }

    public struct DNS: Sendable, Equatable {
        public var nameservers: [String]?
        public var domain: String?
        public var search: [String]?
        public var options: [String]?
        public init() {}
    }

    public var cniVersion: String?
    public var interfaces: [Interface]
    public var ips: [IPConfig]
    public var routes: [CNIConfig.Route]
    public var dns: DNS

    public init(cniVersion: String? = nil, interfaces: [Interface] = [], ips: [IPConfig] = [],
                routes: [CNIConfig.Route] = [], dns: DNS = DNS()) {
        self.cniVersion = cniVersion
        self.interfaces = interfaces
        self.ips = ips
        self.routes = routes
        self.dns = dns
    }

    /// `other` appended after this result, its interface indices shifted to stay correct.
    public func appending(_ other: CNIResult) -> CNIResult {
        var merged = self
        let offset = interfaces.count
        merged.interfaces += other.interfaces
        merged.ips += other.ips.map { ip in
            var ip = ip
            ip.interface = ip.interface.map { $0 + offset }
            return ip
        }
        for route in other.routes where !merged.routes.contains(route) { merged.routes.append(route) }
        // A name service of this plugin's network joins what earlier plugins said (theirs first).
        if let servers = other.dns.nameservers {
            let have = merged.dns.nameservers ?? []
            merged.dns.nameservers = have + servers.filter { !have.contains($0) }
        }
        if let search = other.dns.search {
            let have = merged.dns.search ?? []
            merged.dns.search = have + search.filter { !have.contains($0) }
        }
        return merged
    }

    /// The result as `version` writes it: 0.3.x/0.4.0 tag each IP with `"version": "4"` (or
    /// "6"); 1.1.0 adds interface MTUs. Keys in the order the reference plugins use.
    public func json(version: String) -> String {
        let w = JSONWriter()
        w.object {
            w.field("cniVersion", version)
            if !interfaces.isEmpty {
                w.array("interfaces") {
                    for i in interfaces {
                        w.object {
                            w.field("name", i.name)
                            if let mac = i.mac { w.field("mac", mac) }
                            if let mtu = i.mtu, CNIVersion.interfacesCarryMTU(version) { w.field("mtu", mtu) }
                            if let sandbox = i.sandbox { w.field("sandbox", sandbox) }
                        }
                    }
                }
            }
            if !ips.isEmpty {
                w.array("ips") {
                    for ip in ips {
                        w.object {
                            if CNIVersion.ipsCarryVersion(version) { w.field("version", ip.address.contains(":") ? "6" : "4") }
                            if let index = ip.interface { w.field("interface", index) }
                            w.field("address", ip.address)
                            if let gateway = ip.gateway { w.field("gateway", gateway) }
                        }
                    }
                }
            }
            if !routes.isEmpty {
                w.array("routes") {
                    for r in routes {
                        w.object {
                            w.field("dst", r.dst)
                            if let gw = r.gw { w.field("gw", gw) }
                        }
                    }
                }
            }
            w.object("dns") {
                if let n = dns.nameservers { w.array("nameservers") { for s in n { w.string(s) } } }
                if let d = dns.domain { w.field("domain", d) }
                if let s = dns.search { w.array("search") { for x in s { w.string(x) } } }
                if let o = dns.options { w.array("options") { for x in o { w.string(x) } } }
            }
        }
        return w.text
    }
}
