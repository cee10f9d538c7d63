import BerthAddress
import BerthEngine
import BerthEtcd

/// ``OverlayRegistryClient`` over etcd: the registry of Sources/BerthAgent/Registry on an
/// ``EtcdClient`` for one network's settings. Translates the registry's records into the
/// agent's picture, and etcd's failures into the ones the agent treats specially.
struct EtcdRegistryClient: OverlayRegistryClient {
    let client: EtcdClient
    let registry: OverlayRegistry

    init(settings: OverlayEtcdSettings) throws {
        let tls = settings.caCert != nil || settings.cert != nil || settings.key != nil
            ? EtcdTLS(caFile: settings.caCert, certFile: settings.cert, keyFile: settings.key) : nil
        client = try EtcdClient(endpoints: settings.endpoints, tls: tls)
        registry = OverlayRegistry(store: client, keys: try OverlayKeys(prefix: settings.prefix))
    }

    /// etcd's lease and compaction failures as the agent's.
    private func translating<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch EtcdError.leaseNotFound {
            throw RegistryFailure.leaseGone
        } catch EtcdError.compacted {
            throw RegistryFailure.compacted
        } catch let e as OverlayRegistryError {
            if case .reservationLost = e { throw RegistryFailure.reservationLost(e.description) }
            throw AgentError(e.description)
        } catch let e as EtcdError {
            throw AgentError(e.description)
        }
    }

    func define(network: String, stated: StatedDefinition, localSubnets: [IPv4Subnet]) async throws -> (OverlayDefinition, created: Bool) {
        try await translating {
            let request = OverlayRequest(subnet: stated.subnet, hostPrefix: stated.hostPrefix, vni: stated.vni, port: stated.port)
            let d = try await registry.define(network: network, request: request, localSubnets: localSubnets)
            return (Self.definition(d.config), d.created)
        }
    }

    func claimBlock(network: String, definition: OverlayDefinition, hostID: String, hostname: String,
                    avoiding: [IPv4Subnet]) async throws -> BlockClaim {
        try await translating {
            let c = try await registry.claimBlock(network: network, hostID: hostID, hostname: hostname, avoiding: avoiding)
            return BlockClaim(block: c.block, reclaimed: c.reclaimed)
        }
    }

    func leave(network: String, block: IPv4Subnet, hostID: String) async throws {
        try await translating { try await registry.leave(network: network, hostID: hostID, block: block) }
    }

    func removeEverywhere(network: String) async throws {
        try await translating { _ = try await registry.removeEverywhere(network: network) }
    }

    func forget(network: String, block: IPv4Subnet) async throws {
        try await translating { try await registry.forget(network: network, block: block) }
    }

    func list() async throws -> OverlayView {
        try await translating {
            let listing = try await registry.listAll()
            var changes: [OverlayView.Change] = []
            for n in listing.networks { changes += Self.changes(n) }
            return OverlayView(revision: listing.revision, changes: changes)
        }
    }

    func peerTTLs(network: String) async throws -> [IPv4Subnet: Int] {
        try await translating {
            let snapshot = try await registry.snapshot(network: network)
            var byLease: [Int64: Int] = [:]
            var result: [IPv4Subnet: Int] = [:]
            for p in snapshot.peers where p.lease != 0 {
                if byLease[p.lease] == nil {
                    byLease[p.lease] = (try? await client.leaseTimeToLive(id: p.lease)).map { Int($0.ttl) } ?? 0
                }
                result[p.block] = byLease[p.lease]
            }
            return result
        }
    }

    func grantLease(ttl: Int) async throws -> Int64 {
        try await translating { try await client.leaseGrant(ttl: Int64(ttl)).id }
    }

    func keepAlive(lease: Int64) async throws {
        try await translating { _ = try await client.leaseKeepAlive(id: lease) }
    }

    func putPeer(network: String, block: IPv4Subnet, peer: OverlayView.Peer, lease: Int64) async throws {
        try await translating {
            let record = OverlayPeerRecord(host: peer.host, hostname: peer.hostname, vtep: peer.vtep, mac: peer.mac, endpoints: peer.endpoints)
            try await registry.publishPeer(network: network, block: block, record: record, lease: lease)
        }
    }

    func deletePeer(network: String, block: IPv4Subnet, hostID: String) async throws {
        try await translating {
            // Only a key that still names this host, compared by revision (never another host's).
            let key = registry.keys.peer(network, block)
            guard let kv = try await client.range(key: key, prefix: false).kvs.first,
                  (try? OverlayPeerRecord(json: kv.value))?.host == hostID else { return }
            _ = try await client.txn(compare: [EtcdCompare(key: key, .equal, .modRevision(kv.modRevision))],
                                     success: [.deleteRange(key: key, prefix: false)], failure: [])
        }
    }

    func watch(after revision: Int64) -> AsyncThrowingStream<WatchBatch, any Error> {
        let events = client.watch(prefix: registry.keys.overlays, startRevision: revision + 1, prevKV: true)
        let keys = registry.keys
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await response in events {
                        let changes = response.events.compactMap { Self.change($0, keys: keys) }
                        continuation.yield(WatchBatch(revision: response.header.revision, changes: changes))
                    }
                    continuation.finish()
                } catch EtcdError.compacted {
                    continuation.finish(throwing: RegistryFailure.compacted)
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    func shutdown() async { client.close() }

    // MARK: translation

    static func definition(_ c: OverlayConfig) -> OverlayDefinition {
        OverlayDefinition(subnet: c.subnet, hostPrefix: c.hostPrefix, vni: c.vni, port: c.port)
    }

    static func peer(_ r: OverlayPeerRecord) -> OverlayView.Peer {
        OverlayView.Peer(host: r.host, hostname: r.hostname, vtep: r.vtep, mac: r.mac, endpoints: r.endpoints)
    }

    static func changes(_ n: OverlayNetworkSnapshot) -> [OverlayView.Change] {
        var out: [OverlayView.Change] = []
        if let c = n.config { out.append(.definition(network: n.name, definition(c))) }
        for r in n.reservations { out.append(.reservation(network: n.name, block: r.block, .init(host: r.host, hostname: r.hostname))) }
        for p in n.peers { out.append(.peer(network: n.name, block: p.block, peer(p.record))) }
        return out
    }

    /// One watch event as a change; a value that cannot be read counts as the key's deletion
    /// (the agent must not route by it), keys of other layouts are skipped.
    static func change(_ event: EtcdWatchEvent, keys: OverlayKeys) -> OverlayView.Change? {
        guard let entry = keys.parse(event.kv.key) else { return nil }
        let deleted = event.kind == .delete
        let value = event.kv.value
        switch entry {
        case .config(let n):
            return .definition(network: n, deleted ? nil : (try? OverlayConfig(json: value)).map(definition))
        case .reservation(let n, let b):
            let r = deleted ? nil : (try? OverlayReservation(block: b, json: value)).map { OverlayView.Reservation(host: $0.host, hostname: $0.hostname) }
            return .reservation(network: n, block: b, r)
        case .peer(let n, let b):
            return .peer(network: n, block: b, deleted ? nil : (try? OverlayPeerRecord(json: value)).map(peer))
        }
    }
}
