import BerthAddress
import BerthEngine

extension OverlayContext {
    /// `network rm NAME… [--force] [--everywhere]`: each overlay network removed here through
    /// the engine, then its block given back in etcd (and with `everywhere`, every key of the
    /// network deleted, so every agent removes its copy); other networks removed as berth
    /// removes them. Returns the names removed, in order.
    public func remove(_ names: [String], force: Bool, everywhere: Bool) async throws -> [String] {
        let overlays = Dictionary(try engine.overlayNetworks().map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let locals = Set(try engine.localNetworks().map(\.name))
        // Every name checked before anything is removed.
        for name in names {
            if overlays[name] == nil {
                if everywhere {
                    throw AgentError(locals.contains(name)
                        ? "--everywhere is for overlay networks: '\(name)' is not one"
                        : "network '\(name)' is not joined on this host: run --everywhere on a host that has it")
                }
                if !locals.contains(name) { throw BerthError.notFound("network '\(Validation.printable(name))' does not exist") }
            }
        }
        var removed: [String] = []
        for name in names {
            // Without etcd settings (the engine's test seam made it) there is nothing to leave.
            guard let local = overlays[name], !local.etcd.endpoints.isEmpty else {
                try engine.removeNetworks([name], force: force)
                removed.append(name)
                continue
            }
            let hostID = try engine.overlayHostID()
            // etcd first reached (not yet changed): an unreachable etcd fails before the local
            // network goes, so the command changes nothing.
            try await withRegistry(local.etcd) { registry in
                _ = try await registry.peerTTLs(network: name)
                try engine.removeNetworks([name], force: force)
                do {
                    if everywhere {
                        try await registry.removeEverywhere(network: name)
                    } else {
                        try await registry.leave(network: name, block: local.block, hostID: hostID)
                    }
                } catch {
                    throw AgentError("network '\(name)' removed here, but etcd failed (\(error)): block \(local.block) stays reserved; 'berth overlay forget \(name) \(local.block)' gives it back")
                }
            }
            removed.append(name)
        }
        PidFile.hangUp(stateDirectory: stateDirectory)
        return removed
    }

    /// `overlay forget NAME BLOCK`: deletes a dead host's reservation (the registry refuses
    /// while the block's peer key is alive).
    public func forget(network: String, block: IPv4Subnet, etcd: OverlayEtcdSettings?) async throws {
        let settings = try etcdSettings(for: network, given: etcd)
        try await withRegistry(settings) { try await $0.forget(network: network, block: block) }
    }

    /// The etcd a command about `network` talks to: the given one, else the local copy's, else
    /// any local overlay network's (one etcd per site is the usual set-up).
    func etcdSettings(for network: String?, given: OverlayEtcdSettings?) throws -> OverlayEtcdSettings {
        if let given { return given }
        let overlays = try engine.overlayNetworks()
        if let network, let local = overlays.first(where: { $0.name == network }) { return local.etcd }
        if let any = overlays.sorted(by: { $0.name < $1.name }).first { return any.etcd }
        throw AgentError("no overlay network is joined on this host: give --etcd URL to say which etcd to ask")
    }

    /// `overlay status [NAME]`: each network's hosts, and this kernel's state per peer.
    public func status(network: String?, etcd: OverlayEtcdSettings?) async throws -> [OverlayStatus] {
        let settings = try etcdSettings(for: network, given: etcd)
        let hostID = try engine.overlayHostID()
        let locals = Dictionary(try engine.overlayNetworks().map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        return try await withRegistry(settings) { registry in
            let view = try await registry.list()
            let names: [String]
            if let network {
                guard view.networks[network] != nil || locals[network] != nil else {
                    throw BerthError.notFound("overlay network '\(Validation.printable(network))' is neither in etcd nor on this host")
                }
                names = [network]
            } else {
                names = Set(view.networks.keys).union(locals.filter { $0.value.etcd == settings }.keys).sorted()
            }
            var result: [OverlayStatus] = []
            for name in names {
                let local = locals[name]
                let programmed = local == nil ? [] : (try? engine.programmedOverlayPeers(network: name)) ?? []
                var ttls: [IPv4Subnet: Int] = [:]
                if view.networks[name]?.peers.isEmpty == false { ttls = try await registry.peerTTLs(network: name) }
                var status = OverlayStatus.build(network: name, seen: view.networks[name], hostID: hostID, local: local,
                                                 programmed: programmed, ttl: ttls)
                if local != nil { status.fastPath = try? engine.overlayFastPath(network: name) }
                result.append(status)
            }
            return result
        }
    }
}

extension IPv4Subnet {
    /// A block as the commands accept it: `10.240.3.0/24` or the key form `10.240.3.0-24`.
    public init?(block text: String) {
        if let s = IPv4Subnet(text) { self = s; return }
        guard let dash = text.lastIndex(of: "-") else { return nil }
        guard let s = IPv4Subnet(text[..<dash] + "/" + text[text.index(after: dash)...]) else { return nil }
        self = s
    }
}
