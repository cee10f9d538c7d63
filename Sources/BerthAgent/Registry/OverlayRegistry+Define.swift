import BerthAddress
import BerthEtcd

extension OverlayRegistry {
    /// The result of ``define(network:request:localSubnets:)``.
    public struct Definition: Sendable, Equatable {
        public var config: OverlayConfig
        /// True when this call created the definition; false when it joined an existing one.
        public var created: Bool
    }

    /// Creates `network`'s definition if etcd has none (`If Version(config) == 0 Then Put`), or
    /// checks the stated options agree with the stored ones (one-line error otherwise).
    /// Defaults for a new network: the lowest VNI ≥ 4096 no other definition uses; the first
    /// /16 of 10.240.0.0/12 overlapping no other definition and none of `localSubnets`.
    public func define(network: String, request: OverlayRequest, localSubnets: [IPv4Subnet] = []) async throws -> Definition {
        try OverlayKeys.validate(network: network)
        try request.validate()
        // Two rounds: a definition made by another host between our read and our txn is then
        // compared like any existing one.
        for _ in 0..<2 {
            if let existing = try await config(network: network) {
                try checkAgreement(network: network, stored: existing, request: request)
                return Definition(config: existing, created: false)
            }
            let others = try await otherDefinitions(excluding: network)
            let config = try newConfig(network: network, request: request, others: others, localSubnets: localSubnets)
            let key = keys.config(network)
            let answer = try await store.txn(compare: [.absent(key)], success: [.put(key: key, value: config.json, lease: 0)], failure: [])
            if answer.succeeded { return Definition(config: config, created: true) }
        }
        guard let existing = try await config(network: network) else { throw OverlayRegistryError.notDefined(network: network) }
        try checkAgreement(network: network, stored: existing, request: request)
        return Definition(config: existing, created: false)
    }

    /// Every other network's definition under `P/overlay/`.
    func otherDefinitions(excluding network: String) async throws -> [(name: String, config: OverlayConfig)] {
        var out: [(name: String, config: OverlayConfig)] = []
        for kv in try await store.range(key: keys.overlays, prefix: true).kvs {
            guard case .config(let name)? = keys.parse(kv.key), name != network else { continue }
            // Another network's unreadable definition must not block this one.
            if let config = try? OverlayConfig(json: kv.value) { out.append((name, config)) }
        }
        return out
    }

    func checkAgreement(network: String, stored: OverlayConfig, request: OverlayRequest) throws {
        var asked: [String] = []
        if let s = request.subnet, s != stored.subnet { asked.append("subnet \(s)") }
        if let p = request.hostPrefix, p != stored.hostPrefix { asked.append("host prefix /\(p)") }
        if let v = request.vni, v != stored.vni { asked.append("VNI \(v)") }
        if let p = request.port, p != stored.port { asked.append("port \(p)") }
        guard asked.isEmpty else {
            throw OverlayRegistryError.disagreement(
                "network '\(network)' exists in etcd with subnet \(stored.subnet), host prefix /\(stored.hostPrefix), "
                + "VNI \(stored.vni), port \(stored.port); the command asks for \(asked.joined(separator: ", "))")
        }
    }

    func newConfig(network: String, request: OverlayRequest, others: [(name: String, config: OverlayConfig)],
                   localSubnets: [IPv4Subnet]) throws -> OverlayConfig {
        let hostPrefix = request.hostPrefix ?? OverlayRequest.defaultHostPrefix
        let subnet: IPv4Subnet
        if let stated = request.subnet {
            if let clash = others.first(where: { $0.config.subnet.overlaps(stated) }) {
                throw OverlayRegistryError.invalid("subnet \(stated) overlaps overlay network '\(clash.name)' (\(clash.config.subnet))")
            }
            subnet = stated
        } else {
            guard let free = OverlayRegistry.freeSubnet(taken: others.map(\.config.subnet) + localSubnets) else {
                throw OverlayRegistryError.invalid(
                    "no free /\(OverlayRequest.defaultSubnetPrefix) left in \(OverlayRequest.subnetPool) for an overlay network: give --subnet")
            }
            subnet = free
        }
        try OverlayRequest.validate(subnet: subnet, hostPrefix: hostPrefix)
        let vni: UInt32
        if let stated = request.vni {
            if let clash = others.first(where: { $0.config.vni == stated }) {
                throw OverlayRegistryError.invalid("VNI \(stated) is used by overlay network '\(clash.name)'")
            }
            vni = stated
        } else {
            let used = Set(others.map(\.config.vni))
            var candidate = OverlayRequest.firstVNI
            while used.contains(candidate) { candidate += 1 }
            vni = candidate
        }
        return OverlayConfig(subnet: subnet, hostPrefix: hostPrefix, vni: vni, port: request.port ?? OverlayRequest.defaultPort)
    }

    /// The first /16 of the pool overlapping none of `taken`.
    static func freeSubnet(taken: [IPv4Subnet]) -> IPv4Subnet? {
        let pool = OverlayRequest.subnetPool
        let step = UInt32(1) << UInt32(32 - OverlayRequest.defaultSubnetPrefix)
        let count = 1 << (OverlayRequest.defaultSubnetPrefix - pool.prefixLength)
        for i in 0..<count {
            let candidate = IPv4Subnet(address: IPv4Address(pool.network.value + UInt32(i) * step),
                                       prefixLength: OverlayRequest.defaultSubnetPrefix)
            if !taken.contains(where: { $0.overlaps(candidate) }) { return candidate }
        }
        return nil
    }
}
