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

    /// The Berth network this configuration describes. Berth's keys win over `ipam`'s; from
    /// `ipam`, a plain `subnet` or the first range of `ranges` is used.
    func networkSpec() throws -> NetworkSpec {
        let name = try requireName()
        if let type = ipam?.type, !type.isEmpty, type != "host-local", type != "berth" {
            throw CNIError(.unsupportedField, "ipam type '\(Validation.printable(type))' is not supported",
                           details: "berth allocates addresses itself; use host-local keys or none")
        }
        let ranges = ipam?.ranges ?? []
        if ranges.count > 1 || (ranges.first?.count ?? 0) > 1 {
            throw CNIError(.unsupportedField, "berth supports one IPv4 range per network",
                           details: "ipam.ranges has \(ranges.map(\.count).reduce(0, +)) ranges")
        }
        let range = ranges.first?.first
        var spec = NetworkSpec(name: name)
        spec.subnet = try parseSubnet(subnet ?? ipam?.subnet ?? range?.subnet, "subnet")
        spec.gateway = try parseAddress(gateway ?? ipam?.gateway ?? range?.gateway, "gateway")
        if let text = ipRange {
            spec.ipRange = try parseSubnet(text, "ipRange")
        } else {
            spec.ipRange = try rangeBlock(start: range?.rangeStart ?? ipam?.rangeStart,
                                          end: range?.rangeEnd ?? ipam?.rangeEnd, subnet: spec.subnet, gateway: spec.gateway)
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
        spec.isInternal = self.internal ?? false
        spec.masquerade = ipMasq ?? true
        for route in ipam?.routes ?? [] {
            guard route.dst == "0.0.0.0/0" else {
                throw CNIError(.unsupportedField, "route to \(Validation.printable(route.dst)) is not supported",
                               details: "berth installs only the default route via the network's gateway")
            }
            if let gw = route.gw, let gateway = spec.gateway, IPv4Address(gw) != gateway {
                throw CNIError(.unsupportedField, "default route via \(Validation.printable(gw)) is not the gateway \(gateway)")
            }
        }
        return spec
    }

    /// The static address asked for: `runtimeConfig.ips`, else `args.cni.ips`, else CNI_ARGS `IP`.
    func staticAddress(_ envArgs: CNIArgs) throws -> IPv4Address? {
        let listed = runtimeConfig?.ips?.first ?? args?.cni?.ips?.first
        guard let text = listed else { return envArgs.ip }
        guard let a = IPv4Address(text.split(separator: "/").first ?? "") else {
            throw CNIError(.invalidConfig, "requested IP '\(Validation.printable(text))' is not an IPv4 address")
        }
        return a
    }

    /// The static MAC asked for: `runtimeConfig.mac`, else `args.cni.mac`, else CNI_ARGS `MAC`.
    func staticMAC(_ envArgs: CNIArgs) throws -> MACAddress? {
        guard let text = runtimeConfig?.mac ?? args?.cni?.mac else { return envArgs.mac }
        guard let m = MACAddress(text) else {
            throw CNIError(.invalidConfig, "requested MAC '\(Validation.printable(text))' is not a MAC address")
        }
        return m
    }

    /// `runtimeConfig.portMappings` as engine port mappings. IPv6 host addresses are skipped
    /// (Berth publishes IPv4 only); anything malformed is code 7.
    func portMappings() throws -> [PortMapping] {
        var out: [PortMapping] = []
        for p in runtimeConfig?.portMappings ?? [] {
            guard (1...65535).contains(p.hostPort), (1...65535).contains(p.containerPort) else {
                throw CNIError(.invalidConfig, "port mapping \(p.hostPort):\(p.containerPort) is out of range 1-65535")
            }
            let protoText = (p.protocol ?? "tcp").lowercased()
            guard let proto = TransportProtocol(rawValue: protoText.isEmpty ? "tcp" : protoText) else {
                throw CNIError(.unsupportedField, "port mapping protocol '\(Validation.printable(protoText))' is not supported")
            }
            var hostIP: IPv4Address?
            if let text = p.hostIP, !text.isEmpty, text != "0.0.0.0" {
                if text.contains(":") { continue }
                guard let a = IPv4Address(text) else {
                    throw CNIError(.invalidConfig, "port mapping hostIP '\(Validation.printable(text))' is not an address")
                }
                hostIP = a
            }
            out.append(PortMapping(hostIP: hostIP.map(IPAddress.v4), hostPort: UInt16(p.hostPort), containerPort: UInt16(p.containerPort), proto: proto))
        }
        return out
    }

    /// The GC keep-list: `cni.dev/valid-attachments`, or the older `cni.dev/attachments`.
    func gcKeepList() throws -> [(containerID: String, ifname: String)] {
        guard let list = validAttachments ?? attachments else {
            throw CNIError(.invalidConfig, "GC needs cni.dev/valid-attachments")
        }
        return list.map { ($0.containerID, $0.ifname) }
    }

    private func parseSubnet(_ text: String?, _ what: String) throws -> IPv4Subnet? {
        guard let text else { return nil }
        guard let s = IPv4Subnet(text) else {
            if text.contains(":") {
                throw CNIError(.unsupportedField, "\(what) \(Validation.printable(text)): berth networks are IPv4 only")
            }
            throw CNIError(.invalidConfig, "\(what) '\(Validation.printable(text))' is not an IPv4 CIDR without host bits")
        }
        return s
    }

    private func parseAddress(_ text: String?, _ what: String) throws -> IPv4Address? {
        guard let text else { return nil }
        guard let a = IPv4Address(text) else {
            throw CNIError(.invalidConfig, "\(what) '\(Validation.printable(text))' is not an IPv4 address")
        }
        return a
    }

    /// host-local's `rangeStart`/`rangeEnd` as Berth's CIDR range. Berth allocates from a CIDR
    /// block, so the pair must span one exactly, or all usable hosts of the subnet (nil range).
    private func rangeBlock(start: String?, end: String?, subnet: IPv4Subnet?, gateway: IPv4Address?) throws -> IPv4Subnet? {
        if start == nil && end == nil { return nil }
        guard let subnet else { throw CNIError(.invalidConfig, "rangeStart/rangeEnd need a subnet") }
        let lo = try parseAddress(start, "rangeStart") ?? subnet.network
        let hi = try parseAddress(end, "rangeEnd") ?? subnet.broadcast
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
        throw CNIError(.unsupportedField, "range \(lo)-\(hi) is not a CIDR block",
                       details: "berth allocates from a CIDR range; use ipRange or a power-of-two aligned rangeStart/rangeEnd")
    }
}
