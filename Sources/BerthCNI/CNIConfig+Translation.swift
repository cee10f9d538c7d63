import BerthAddress
import BerthEngine

/// Translation of a configuration into the engine's terms. Everything is checked before the
/// engine is called, so bad input changes nothing.
extension CNIConfig {
    /// `cniVersion`, required and one Berth supports (code 1 otherwise).
    func requireVersion() throws -> String {
        guard let v = cniVersion, !v.isEmpty else { throw CNIError(.invalidConfig, "cniVersion is missing") }
        guard CNIVersion.isSupported(v) else {
            throw CNIError(.incompatibleVersion, "CNI version \(Validation.printable(v)) is not supported",
                           details: "supported: " + CNIVersion.supported.joined(separator: ", "))
        }
        return v
    }

    /// `name`, required and a valid Berth network name.
    func requireName() throws -> String {
        guard let name, !name.isEmpty else { throw CNIError(.invalidConfig, "network name is missing") }
        do { try Validation.networkName(name) } catch { throw CNIError(.invalidConfig, "\(error)") }
        return name
    }

    /// The Berth network this configuration describes. Per address family, Berth's keys win
    /// over `ipam`'s plain `subnet`/`gateway`/`rangeStart`/`rangeEnd`, which win over that
    /// family's range in `ranges`. The network has exactly the families the configuration gives
    /// addressing for, so an existing network must have them too; a configuration with no
    /// addressing at all states no family (it joins an existing network as it is, and creates an
    /// IPv4 one).
    func networkSpec() throws -> NetworkSpec {
        let name = try requireName()
        if let type = ipam?.type, !type.isEmpty, type != "host-local", type != "berth" {
            throw CNIError(.unsupportedField, "ipam type '\(Validation.printable(type))' is not supported",
                           details: "berth allocates addresses itself; use host-local keys or none")
        }
        let addressing = try addressingByFamily()
        var spec = NetworkSpec(name: name)
        // Recorded as the network's owner: Podman's front end never takes over a CNI network.
        spec.owner = .cni
        if let a = addressing[.ipv4] {
            spec.subnet = try a.subnet.map { text in try Self.parse(text, "subnet") { IPv4Subnet($0) } }
            spec.gateway = try a.gateway.map { try Self.parse($0, "gateway", IPv4Address.init) }
            spec.ipRange = try a.ipRange.map { text in try Self.parse(text, "ipRange") { IPv4Subnet($0) } }
                ?? a.rangeBlock(subnet: spec.subnet, gateway: spec.gateway)
        }
        if let a = addressing[.ipv6] {
            spec.subnet6 = try a.subnet.map { text in try Self.parse(text, "subnet") { IPv6Subnet($0) } }
            spec.gateway6 = try a.gateway.map { try Self.parse($0, "gateway", IPv6Address.init) }
            spec.ipRange6 = try a.ipRange.map { text in try Self.parse(text, "ipRange") { IPv6Subnet($0) } }
                ?? a.rangeBlock(subnet: spec.subnet6, gateway: spec.gateway6)
        }
        if !addressing.isEmpty {
            spec.ipv4 = addressing[.ipv4] != nil
            spec.ipv6 = addressing[.ipv6] != nil
        }
        if let bridge {
            do { try Validation.interfaceName(bridge, what: "bridge name") } catch { throw CNIError(.invalidConfig, "\(error)") }
            spec.bridge = bridge
        }
        spec.mtu = mtu ?? 0
        if let firewall {
            guard firewall == "nftables" || firewall == "none" else {
                throw CNIError(.invalidConfig, "firewall '\(Validation.printable(firewall))' is not one of: nftables, none")
            }
            spec.firewall = firewall
        }
        try applyDriver(to: &spec)
        // A macvlan network's traffic does not pass the host, where the name service runs.
        spec.dns = dns ?? (spec.driver != "macvlan")
        if let dnsDomain {
            do { spec.dnsDomain = try Validation.dnsDomain(dnsDomain) } catch { throw CNIError(.invalidConfig, "dnsDomain: \(error)") }
        }
        spec.isInternal = self.internal ?? false
        // As in the reference bridge plugin, ipMasq covers every address of the container.
        spec.masquerade = ipMasq ?? true
        spec.masquerade6 = ipMasq ?? true
        try checkRoutes(spec)
        return spec
    }

    /// `driver` and, for macvlan, its parent (`master` or `parent`) and `mode`; a bridge
    /// configuration names neither. Left nil when not given: an existing network keeps its own.
    private func applyDriver(to spec: inout NetworkSpec) throws {
        guard let driver else {
            if master != nil || parent != nil || mode != nil {
                throw CNIError(.invalidConfig, "master, parent and mode are for \"driver\": \"macvlan\"")
            }
            return
        }
        switch driver {
        case "bridge":
            if master != nil || parent != nil || mode != nil {
                throw CNIError(.invalidConfig, "master, parent and mode are for \"driver\": \"macvlan\", not bridge")
            }
        case "overlay":
            try checkOverlay()
        case "macvlan":
            if let master, let parent, master != parent {
                throw CNIError(.invalidConfig, "master '\(Validation.printable(master))' and parent '\(Validation.printable(parent))' disagree: give one")
            }
            guard let device = parent ?? master, !device.isEmpty else {
                throw CNIError(.invalidConfig, "a macvlan network needs \"master\": the host interface whose LAN the containers join")
            }
            do { try Validation.interfaceName(device, what: "master interface") } catch { throw CNIError(.invalidConfig, "\(error)") }
            if bridge != nil { throw CNIError(.invalidConfig, "bridge is for bridge networks: a macvlan network has none") }
            spec.parent = device
            if let mode { spec.driverOptions["mode"] = mode }
        default:
            throw CNIError(.unsupportedField, "network driver '\(Validation.printable(driver))' is not supported",
                           details: "supported: bridge, macvlan, overlay")
        }
        spec.driver = driver
    }

    /// The address families of the network `spec` (from ``networkSpec()``) defines; nil when
    /// the configuration states none (the network's own then apply, which the engine checks).
    static func families(of spec: NetworkSpec) -> Set<IPFamily>? {
        guard spec.ipv4 != nil || spec.ipv6 != nil else { return nil }
        return Set([spec.ipv4 == true ? IPFamily.ipv4 : nil, spec.ipv6 == true ? .ipv6 : nil].compactMap { $0 })
    }

    /// An overlay network is joined on the host beforehand (`berth network create … --driver
    /// overlay`): its addresses come from the host's block and its devices are the driver's,
    /// so a configuration naming either would state what it cannot decide.
    private func checkOverlay() throws {
        if master != nil || parent != nil || mode != nil {
            throw CNIError(.invalidConfig, "master, parent and mode are for \"driver\": \"macvlan\", not overlay")
        }
        if bridge != nil {
            throw CNIError(.invalidConfig, "bridge: an overlay network's bridge is its driver's; remove the key")
        }
        let addressing = [subnet, gateway, ipRange, ipam?.subnet, ipam?.gateway, ipam?.rangeStart, ipam?.rangeEnd].contains { $0 != nil }
            || !(ipam?.ranges ?? []).isEmpty
        if addressing {
            throw CNIError(.invalidConfig, "an overlay network's addresses come from this host's block of it: remove subnet, gateway and ranges")
        }
    }

    /// The command that joins this host to the overlay network the configuration names.
    func overlayJoinCommand(_ name: String) -> String {
        "berth network create \(name) --driver overlay --etcd \(etcd.map { Validation.printable($0) } ?? "URL")"
    }

    /// The family a route's `dst` is the default route of (`0.0.0.0/0`, `::/0`), or nil.
    static func defaultRouteFamily(_ dst: String) -> IPFamily? {
        if IPv4Subnet(dst)?.prefixLength == 0 { return .ipv4 }
        if IPv6Subnet(dst)?.prefixLength == 0 { return .ipv6 }
        return nil
    }

    /// `ipam.routes`: only the default route of a family the network has, via its gateway
    /// (Berth installs exactly that route, and no other).
    private func checkRoutes(_ spec: NetworkSpec) throws {
        // Without addressing, the network the configuration would create: IPv4.
        let families = Self.families(of: spec) ?? [.ipv4]
        for route in ipam?.routes ?? [] {
            guard let family = Self.defaultRouteFamily(route.dst) else {
                throw CNIError(.unsupportedField, "route to \(Validation.printable(route.dst)) is not supported",
                               details: "berth installs only the default routes (0.0.0.0/0, ::/0) via the network's gateways")
            }
            guard families.contains(family) else {
                throw CNIError(.invalidConfig, "route to \(route.dst): network '\(spec.name)' has no \(family) range")
            }
            guard let text = route.gw else { continue }
            let gw = IPAddress(text)
            guard gw?.family == family else {
                throw CNIError(.invalidConfig, "route to \(route.dst) via '\(Validation.printable(text))': not an \(family) address")
            }
            // The gateway the network gets: the stated one, else the subnet's first host.
            let gateway = family == .ipv4
                ? (spec.gateway ?? spec.subnet?.firstHost).map(IPAddress.v4)
                : (spec.gateway6 ?? spec.subnet6?.firstHost).map(IPAddress.v6)
            if let gateway, gw != gateway {
                throw CNIError(.unsupportedField, "default route via \(text) is not the gateway \(gateway)")
            }
        }
    }

    /// One family's addressing as the configuration writes it, not yet parsed.
    struct Addressing {
        var subnet: String?
        var gateway: String?
        var ipRange: String?
        var rangeStart: String?
        var rangeEnd: String?

        /// Takes the fields this lacks from `range`.
        mutating func fill(from range: Range) {
            subnet = subnet ?? range.subnet
            gateway = gateway ?? range.gateway
            rangeStart = rangeStart ?? range.rangeStart
            rangeEnd = rangeEnd ?? range.rangeEnd
        }
    }

    /// The family address text is written in: IPv6 text has colons, IPv4 text has none.
    static func family(of text: String) -> IPFamily { text.contains(":") ? .ipv6 : .ipv4 }

    /// Each family's addressing: Berth's keys (each by its own family), then `ipam`'s plain keys,
    /// then `ipam.ranges`, whose range sets may hold one range each, one set per family.
    private func addressingByFamily() throws -> [IPFamily: Addressing] {
        var result: [IPFamily: Addressing] = [:]
        if let subnet { result[Self.family(of: subnet), default: Addressing()].subnet = subnet }
        if let gateway { result[Self.family(of: gateway), default: Addressing()].gateway = gateway }
        if let ipRange { result[Self.family(of: ipRange), default: Addressing()].ipRange = ipRange }
        if let ipam {
            let plain = Range(subnet: ipam.subnet, rangeStart: ipam.rangeStart, rangeEnd: ipam.rangeEnd, gateway: ipam.gateway)
            if let family = try Self.family(of: plain, "ipam") { result[family, default: Addressing()].fill(from: plain) }
        }
        var sets: [IPFamily: Int] = [:]
        for (i, set) in (ipam?.ranges ?? []).enumerated() {
            let families = Set(try set.enumerated().compactMap { try Self.family(of: $0.element, "ipam.ranges[\(i)][\($0.offset)]") })
            if families.count > 1 {
                throw CNIError(.invalidConfig, "ipam.ranges[\(i)] mixes IPv4 and IPv6 ranges",
                               details: "each range set holds ranges of one family: put IPv4 and IPv6 in sets of their own")
            }
            if set.count > 1 {
                throw CNIError(.unsupportedField, "berth supports one range per address family",
                               details: "ipam.ranges[\(i)] has \(set.count) ranges")
            }
            guard let family = families.first, let range = set.first else { continue }
            if let earlier = sets[family] {
                throw CNIError(.unsupportedField, "berth supports one range per address family",
                               details: "ipam.ranges[\(earlier)] and ipam.ranges[\(i)] are both \(family)")
            }
            sets[family] = i
            result[family, default: Addressing()].fill(from: range)
        }
        return result
    }

    /// The family of a host-local range: the family of its addresses, nil when it has none;
    /// a range whose addresses are of both families is refused.
    private static func family(of range: Range, _ what: String) throws -> IPFamily? {
        let families = Set([range.subnet, range.gateway, range.rangeStart, range.rangeEnd].compactMap { $0.map(family(of:)) })
        if families.count > 1 {
            throw CNIError(.invalidConfig, "\(what) mixes IPv4 and IPv6 addresses")
        }
        return families.first
    }

    /// `text` parsed by `make`, or code 7 naming the key and the family the text is written in
    /// (`subnet` and `ipRange` are subnets, the other keys addresses).
    static func parse<T>(_ text: String, _ key: String, _ make: (String) -> T?) throws -> T {
        guard let value = make(text) else {
            let kind = key == "subnet" || key == "ipRange" ? "CIDR without host bits" : "address"
            throw CNIError(.invalidConfig, "\(key) '\(Validation.printable(text))' is not an \(family(of: text)) \(kind)")
        }
        return value
    }
}

extension CNIConfig.Addressing {
    /// host-local's `rangeStart`/`rangeEnd` as Berth's CIDR range. Berth allocates from a CIDR
    /// block, so the pair must span one exactly, or all usable hosts of the subnet (nil range).
    func rangeBlock(subnet: IPv4Subnet?, gateway: IPv4Address?) throws -> IPv4Subnet? {
        if rangeStart == nil && rangeEnd == nil { return nil }
        guard let subnet else { throw CNIError(.invalidConfig, "rangeStart/rangeEnd need a subnet") }
        let lo = try rangeStart.map { try CNIConfig.parse($0, "rangeStart", IPv4Address.init) } ?? subnet.network
        let hi = try rangeEnd.map { try CNIConfig.parse($0, "rangeEnd", IPv4Address.init) } ?? subnet.broadcast
        guard subnet.contains(lo), subnet.contains(hi), lo <= hi else {
            throw CNIError(.invalidConfig, "range \(lo)-\(hi) is not inside subnet \(subnet)")
        }
        // All usable hosts of the subnet (a gateway at the first host may be left out, as it
        // usually is): Berth never hands out network, gateway or broadcast anyway.
        let gatewayFirst = (gateway ?? subnet.firstHost) == subnet.firstHost
        let firstWanted = subnet.network.value &+ (gatewayFirst ? 2 : 1)
        if lo.value <= firstWanted && hi.value >= subnet.broadcast.value &- 1 { return nil }
        let size = UInt64(hi.value - lo.value) + 1
        if size & (size - 1) == 0 {
            let prefix = 32 - size.trailingZeroBitCount
            let block = IPv4Subnet(address: lo, prefixLength: prefix)
            if block.network == lo { return block }
        }
        throw notABlock(lo, hi)
    }

    /// The IPv6 twin of ``rangeBlock(subnet:gateway:)``: a CIDR block exactly, or every address
    /// of the subnet but its first (the subnet-router anycast address) and the gateway.
    func rangeBlock(subnet: IPv6Subnet?, gateway: IPv6Address?) throws -> IPv6Subnet? {
        if rangeStart == nil && rangeEnd == nil { return nil }
        guard let subnet else { throw CNIError(.invalidConfig, "rangeStart/rangeEnd need a subnet") }
        let last = IPv6Subnet.last(of: subnet)
        let lo = try rangeStart.map { try CNIConfig.parse($0, "rangeStart", IPv6Address.init) } ?? subnet.network
        let hi = try rangeEnd.map { try CNIConfig.parse($0, "rangeEnd", IPv6Address.init) } ?? last
        guard subnet.contains(lo), subnet.contains(hi), lo <= hi else {
            throw CNIError(.invalidConfig, "range \(lo)-\(hi) is not inside subnet \(subnet)")
        }
        // IPv6 has no broadcast address: the subnet's last address is handed out too.
        let gatewayFirst = (gateway ?? subnet.firstHost) == subnet.firstHost
        if lo <= subnet.network.advanced(by: gatewayFirst ? 2 : 1) && hi == last { return nil }
        for prefix in subnet.prefixLength...128 {
            let block = IPv6Subnet(address: lo, prefixLength: prefix)
            if block.network == lo && IPv6Subnet.last(of: block) == hi { return block }
        }
        throw notABlock(lo, hi)
    }

    private func notABlock(_ lo: some CustomStringConvertible, _ hi: some CustomStringConvertible) -> CNIError {
        CNIError(.unsupportedField, "range \(lo)-\(hi) is not a CIDR block",
                 details: "berth allocates from a CIDR range; use ipRange or a power-of-two aligned rangeStart/rangeEnd")
    }
}

extension IPv6Subnet {
    /// The subnet's last address (every host bit set).
    static func last(of subnet: IPv6Subnet) -> IPv6Address {
        func hostBits(_ bits: Int) -> UInt64 { bits <= 0 ? .max : bits >= 64 ? 0 : UInt64.max >> UInt64(bits) }
        let n = subnet.network
        return IPv6Address(high: n.high | hostBits(subnet.prefixLength), low: n.low | hostBits(subnet.prefixLength - 64))
    }
}
