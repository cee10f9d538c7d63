import BerthAddress
import BerthFirewall
import BerthIPAM
import BerthStore
import Glibc

extension Engine {
    /// Chooses every unspecified property and checks the specified ones against the store and
    /// each other. Runs inside the write transaction, so the choice cannot race another process.
    func plan(_ spec: NetworkSpec, driver: any NetworkDriver) throws -> NetworkRecord {
        let existing = try store.networks()
        if existing.contains(where: { $0.name == spec.name }) {
            throw BerthError.conflict("network '\(spec.name)' already exists")
        }
        let (wantsIPv4, wantsIPv6) = (spec.wantsIPv4, spec.wantsIPv6)
        if spec.addressless {
            let stated = [spec.subnet.map { "\($0)" }, spec.gateway.map { "\($0)" }, spec.ipRange.map { "\($0)" },
                          spec.subnet6.map { "\($0)" }, spec.gateway6.map { "\($0)" }, spec.ipRange6.map { "\($0)" }]
            if let first = stated.compactMap({ $0 }).first {
                throw BerthError.invalidArgument("network '\(spec.name)' has no addresses (IPAM none), yet \(first) is given for it")
            }
        }
        guard wantsIPv4 || wantsIPv6 || spec.addressless else {
            throw BerthError.invalidArgument("a network needs IPv4 or IPv6: --ipv4=false needs --ipv6")
        }
        if !wantsIPv4, spec.subnet != nil || spec.gateway != nil || spec.ipRange != nil {
            throw BerthError.invalidArgument("IPv4 addressing given for a network without IPv4 (--ipv4=false)")
        }
        if !wantsIPv6, spec.subnet6 != nil || spec.gateway6 != nil || spec.ipRange6 != nil {
            throw BerthError.invalidArgument("IPv6 addressing given for a network without IPv6 (--ipv6=false)")
        }
        // Bulk teardown deletes a network's veths by device group, so no two networks may share
        // one: draw ids until the group is free. The id is Berth's own, whatever a runtime
        // calls the network: kernel tags come only from it.
        let groups = Set(existing.compactMap { BridgeDriver.vethGroup(ofNetworkID: $0.id) })
        var id = Store.randomID()
        while let group = BridgeDriver.vethGroup(ofNetworkID: id), groups.contains(group) { id = Store.randomID() }
        let bridge = spec.bridge ?? driver.deviceName(forNetworkID: id)
        if let clash = existing.first(where: { $0.bridge == bridge }) {
            throw BerthError.conflict("bridge \(bridge) already belongs to network '\(clash.name)'")
        }
        // The host is surveyed once, and only when a subnet is to be chosen.
        var survey: HostSurvey?
        func hostSurvey() throws -> HostSurvey {
            if let survey { return survey }
            let taken = try driver.hostSurvey(resolvConf: settings.resolvConfPath)
            survey = taken
            return taken
        }
        let v4 = wantsIPv4 ? try planIPv4(spec, existing: existing, survey: hostSurvey) : nil
        let v6 = wantsIPv6 ? try planIPv6(spec, existing: existing, survey: hostSurvey) : nil
        return NetworkRecord(name: spec.name, id: id, bridge: bridge, subnet: v4?.subnet, gateway: v4?.gateway,
                             ipRange: spec.ipRange, mtu: spec.mtu, isInternal: spec.isInternal,
                             masquerade: spec.masquerade && !spec.isInternal && driver.routesThroughHost, labels: spec.labels,
                             created: Int64(time(nil)), icc: spec.icc, isolated: spec.isolated,
                             driver: driver.name,
                             // Without addresses there is nothing to NAT, publish or isolate.
                             firewall: spec.addressless ? FirewallKind.none.rawValue : spec.firewall ?? Self.defaultFirewall(of: driver).rawValue,
                             subnet6: v6?.subnet, gateway6: v6?.gateway, ipRange6: spec.ipRange6,
                             masquerade6: spec.masquerade6 && !spec.isInternal && driver.routesThroughHost,
                             dns: spec.dns && !spec.addressless, dnsDomain: spec.dnsDomain, dnsServers: spec.dnsServers,
                             owner: NetworkOwner(rawValue: spec.owner.rawValue) ?? .cli, parent: spec.parent ?? "",
                             driverOptions: spec.driverOptions, routeMetric: spec.routeMetric)
    }

    /// The firewall a network of `driver` gets unless told otherwise: none for a network whose
    /// traffic never passes the host (macvlan), whose rules would have nothing to act on.
    static func defaultFirewall(of driver: any NetworkDriver) -> FirewallKind {
        driver.routesThroughHost ? .nftables : .none
    }

    /// The IPv4 subnet and gateway: the requested ones checked, or the first free pool subnet.
    private func planIPv4(_ spec: NetworkSpec, existing: [NetworkRecord],
                          survey: () throws -> HostSurvey) throws -> (subnet: IPv4Subnet, gateway: IPv4Address) {
        let subnet: IPv4Subnet
        if let requested = spec.subnet {
            if requested.prefixLength > 30 {
                throw BerthError.invalidArgument("subnet \(requested) is too small: use /30 or larger")
            }
            if let block = requested.specialPurposeBlock {
                throw BerthError.invalidArgument("subnet \(requested) lies in the \(block) block: choose a private subnet")
            }
            if let clash = existing.first(where: { $0.subnet?.overlaps(requested) ?? false }) {
                throw BerthError.conflict("subnet \(requested) overlaps network '\(clash.name)' (\(clash.subnetsDescription))")
            }
            subnet = requested
        } else {
            if spec.gateway != nil || spec.ipRange != nil {
                throw BerthError.invalidArgument("an IPv4 --gateway or --ip-range needs an IPv4 --subnet")
            }
            let pools = try settings.pools()
            let host = try survey()
            guard let chosen = SubnetChooser.choose(pools: pools,
                                                    avoiding: existing.compactMap(\.subnet) + host.occupied,
                                                    nameservers: host.nameservers) else {
                throw BerthError.conflict("no free subnet left in the address pools; pass --subnet")
            }
            subnet = chosen
        }
        let gateway = spec.gateway ?? subnet.firstHost
        if spec.gateway != nil {
            guard subnet.contains(gateway), gateway != subnet.network, gateway != subnet.broadcast else {
                throw BerthError.invalidArgument("gateway \(gateway) is not a usable address of subnet \(subnet)")
            }
        }
        if let range = spec.ipRange {
            guard subnet.contains(range) else {
                throw BerthError.invalidArgument("ip range \(range) is not inside subnet \(subnet)")
            }
            // The network, broadcast and gateway addresses are never handed out.
            let unusable = [subnet.network, subnet.broadcast, gateway].filter { range.contains($0) }
            if UInt64(Set(unusable).count) >= range.size {
                throw BerthError.invalidArgument("ip range \(range) has no address to hand out (only \(unusable.map { "\($0)" }.joined(separator: ", ")))")
            }
        }
        return (subnet, gateway)
    }

    /// The IPv6 subnet and gateway: the requested ones checked, or a free unique local /64 of
    /// the host's prefix (its global ID drawn once and kept in the store).
    private func planIPv6(_ spec: NetworkSpec, existing: [NetworkRecord],
                          survey: () throws -> HostSurvey) throws -> (subnet: IPv6Subnet, gateway: IPv6Address) {
        let subnet: IPv6Subnet
        if let requested = spec.subnet6 {
            try Validation.ipv6Subnet(requested)
            if let clash = existing.first(where: { $0.subnet6?.overlaps(requested) ?? false }) {
                throw BerthError.conflict("subnet \(requested) overlaps network '\(clash.name)' (\(clash.subnetsDescription))")
            }
            subnet = requested
        } else {
            if spec.gateway6 != nil || spec.ipRange6 != nil {
                throw BerthError.invalidArgument("an IPv6 --gateway or --ip-range needs an IPv6 --subnet")
            }
            let globalID = try store.ulaGlobalID()
            let host = try survey()
            guard let chosen = UniqueLocalChooser.choose(globalID: globalID,
                                                         avoiding: existing.compactMap(\.subnet6) + host.occupied6) else {
                throw BerthError.conflict(IPAMError.noSubnet6Available(UniqueLocalChooser.prefix(globalID: globalID)).description)
            }
            subnet = chosen
        }
        let gateway = spec.gateway6 ?? subnet.firstHost
        if spec.gateway6 != nil {
            guard subnet.contains(gateway), gateway != subnet.network else {
                throw BerthError.invalidArgument("gateway \(gateway) is not a usable address of subnet \(subnet)")
            }
        }
        if let range = spec.ipRange6 {
            guard subnet.contains(range) else {
                throw BerthError.invalidArgument("ip range \(range) is not inside subnet \(subnet)")
            }
            if range.prefixLength >= 127 {
                throw BerthError.invalidArgument("ip range \(range) is too small to hand out addresses")
            }
        }
        return (subnet, gateway)
    }
}
