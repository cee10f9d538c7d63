import BerthAddress
import BerthEngine
import Synchronization
@testable import BerthAgent

/// A kernel and store in memory: the engine seam as the agent and the commands call it.
final class FakeEngine: OverlayEngineAccess {
    struct State {
        var networks: [OverlayLocalNetwork] = []
        var others: [(name: String, driver: String, subnet: IPv4Subnet?)] = []
        var programmed: [String: [OverlayPeer]] = [:]
        var reconciles: [(String, [OverlayPeer])] = []
        var removed: [String] = []
        var joinError: String?
        var underlay = UnderlayRoute(source: IPv4Address("198.51.100.11")!, device: "eth0", mtu: 1500)
    }
    let state = Mutex(State())

    func underlayRoute(to address: IPv4Address) throws -> UnderlayRoute { state.withLock { $0.underlay } }
    func joinOverlay(_ join: OverlayJoin) throws -> OverlayLocalNetwork {
        try state.withLock { s in
            if let e = s.joinError { throw AgentError(e) }
            let n = Samples.local(join.name, block: join.block, vtep: join.vtep, definition: join.definition, etcd: join.etcd)
            s.networks.append(n)
            return n
        }
    }
    func overlayNetworks() throws -> [OverlayLocalNetwork] { state.withLock { $0.networks } }
    func reconcileOverlayPeers(network: String, peers: [OverlayPeer]) throws -> OverlayReconcileReport {
        state.withLock { s in
            let before = Set(s.programmed[network] ?? []), after = Set(peers)
            s.programmed[network] = peers
            s.reconciles.append((network, peers))
            return OverlayReconcileReport(added: Array(after.subtracting(before)), removed: Array(before.subtracting(after)), failures: [])
        }
    }
    func programmedOverlayPeers(network: String) throws -> [OverlayPeer] { state.withLock { $0.programmed[network] ?? [] } }
    func overlayHostID() throws -> String { "aaaaaaaaaaaaaaaa" }
    func removeNetworks(_ names: [String], force: Bool) throws {
        state.withLock { s in
            s.networks.removeAll { names.contains($0.name) }
            s.removed += names
        }
    }
    func localNetworks() throws -> [(name: String, driver: String, subnet: IPv4Subnet?)] {
        state.withLock { s in s.networks.map { ($0.name, "overlay", Optional($0.block)) } + s.others }
    }
}

/// etcd in memory, with the registry's semantics as docs/overlay.md states them.
final class FakeRegistry: OverlayRegistryClient {
    struct State {
        var view = OverlayView(revision: 1)
        var leases: [Int64: Int] = [:]
        var nextLease: Int64 = 100
        var unreachable = false
        var calls: [String] = []
        var watchers: [AsyncThrowingStream<WatchBatch, any Error>.Continuation] = []
        /// Every batch committed, so a watch from an earlier revision catches up as etcd's does.
        var history: [WatchBatch] = []
    }
    let state = Mutex(State())

    private func check(_ call: String) throws {
        try state.withLock { s in
            s.calls.append(call)
            if s.unreachable { throw AgentError("connection refused") }
        }
    }

    /// Applies changes as etcd would, and tells the watchers.
    func commit(_ changes: [OverlayView.Change]) {
        let (batch, watchers) = state.withLock { s -> (WatchBatch, [AsyncThrowingStream<WatchBatch, any Error>.Continuation]) in
            s.view.revision += 1
            for c in changes { s.view.apply(c) }
            let batch = WatchBatch(revision: s.view.revision, changes: changes)
            s.history.append(batch)
            return (batch, s.watchers)
        }
        for w in watchers { w.yield(batch) }
    }

    var calls: [String] { state.withLock { $0.calls } }

    func define(network: String, stated: StatedDefinition, localSubnets: [IPv4Subnet]) async throws -> (OverlayDefinition, created: Bool) {
        try check("define \(network)")
        if let d = state.withLock({ $0.view.networks[network]?.definition }) {
            if let s = stated.subnet, s != d.subnet {
                throw AgentError("network '\(network)' exists in etcd with subnet \(d.subnet), the command asks for \(s)")
            }
            return (d, false)
        }
        let d = OverlayDefinition(subnet: stated.subnet ?? IPv4Subnet("10.240.0.0/16")!, hostPrefix: stated.hostPrefix ?? 24,
                                  vni: stated.vni ?? 4096, port: stated.port ?? 4789)
        commit([.definition(network: network, d)])
        return (d, true)
    }

    func claimBlock(network: String, definition: OverlayDefinition, hostID: String, hostname: String,
                    avoiding: [IPv4Subnet]) async throws -> BlockClaim {
        try check("claim \(network)")
        let reservations = state.withLock { $0.view.networks[network]?.reservations ?? [:] }
        if let mine = reservations.first(where: { $0.value.host == hostID }) { return BlockClaim(block: mine.key, reclaimed: true) }
        var candidate = IPv4Subnet(address: definition.subnet.network, prefixLength: definition.hostPrefix)
        while reservations[candidate] != nil {
            candidate = IPv4Subnet(address: IPv4Address(candidate.network.value + UInt32(candidate.size)), prefixLength: definition.hostPrefix)
        }
        commit([.reservation(network: network, block: candidate, .init(host: hostID, hostname: hostname))])
        return BlockClaim(block: candidate, reclaimed: false)
    }

    func leave(network: String, block: IPv4Subnet, hostID: String) async throws {
        try check("leave \(network) \(block)")
        commit([.peer(network: network, block: block, nil), .reservation(network: network, block: block, nil)])
    }

    func removeEverywhere(network: String) async throws {
        try check("removeEverywhere \(network)")
        guard let n = state.withLock({ $0.view.networks[network] }) else { return }
        var changes: [OverlayView.Change] = [.definition(network: network, nil)]
        changes += n.reservations.keys.map { .reservation(network: network, block: $0, nil) }
        changes += n.peers.keys.map { .peer(network: network, block: $0, nil) }
        commit(changes)
    }

    func forget(network: String, block: IPv4Subnet) async throws {
        try check("forget \(network) \(block)")
        if state.withLock({ $0.view.networks[network]?.peers[block] }) != nil { throw AgentError("block \(block) is alive") }
        commit([.reservation(network: network, block: block, nil)])
    }

    func list() async throws -> OverlayView {
        try check("list")
        return state.withLock { $0.view }
    }

    func peerTTLs(network: String) async throws -> [IPv4Subnet: Int] {
        try check("ttl \(network)")
        return state.withLock { s in Dictionary(uniqueKeysWithValues: (s.view.networks[network]?.peers.keys.map { ($0, 42) }) ?? []) }
    }

    func grantLease(ttl: Int) async throws -> Int64 {
        try check("grant \(ttl)")
        return state.withLock { s in
            s.nextLease += 1
            s.leases[s.nextLease] = ttl
            return s.nextLease
        }
    }

    func keepAlive(lease: Int64) async throws {
        try check("keepalive \(lease)")
        if state.withLock({ $0.leases[lease] }) == nil { throw RegistryFailure.leaseGone }
    }

    func putPeer(network: String, block: IPv4Subnet, peer: OverlayView.Peer, lease: Int64) async throws {
        try check("put \(network) \(block) lease \(lease)")
        commit([.peer(network: network, block: block, peer)])
    }

    func deletePeer(network: String, block: IPv4Subnet, hostID: String) async throws {
        try check("delete \(network) \(block)")
        commit([.peer(network: network, block: block, nil)])
    }

    func watch(after revision: Int64) -> AsyncThrowingStream<WatchBatch, any Error> {
        let (stream, continuation) = AsyncThrowingStream<WatchBatch, any Error>.makeStream()
        state.withLock { s in
            for batch in s.history where batch.revision > revision { continuation.yield(batch) }
            s.watchers.append(continuation)
        }
        return stream
    }

    func shutdown() async {}
}

enum Samples {
    static let definition = OverlayDefinition(subnet: IPv4Subnet("10.240.0.0/16")!, hostPrefix: 24, vni: 4096, port: 4789)
    static let etcd = OverlayEtcdSettings(endpoints: ["http://198.51.100.100:2379"], prefix: "/berth")

    static func local(_ name: String = "ov", block: IPv4Subnet = IPv4Subnet("10.240.0.0/24")!, vtep: IPv4Address = IPv4Address("198.51.100.11")!,
                      definition: OverlayDefinition = Samples.definition, etcd: OverlayEtcdSettings = Samples.etcd) -> OverlayLocalNetwork {
        OverlayLocalNetwork(name: name, id: "0123456789abcdef", definition: definition, block: block, vtep: vtep,
                            mac: MACAddress("02:00:00:00:00:01")!, vxlanDevice: "bv01234567", bridge: "bo01234567", mtu: 1450,
                            etcd: etcd, endpointCount: 0)
    }

    static func peer(_ host: String, vtep: String, mac: String = "02:00:00:00:00:02") -> OverlayView.Peer {
        OverlayView.Peer(host: host, hostname: "h-\(host)", vtep: IPv4Address(vtep)!, mac: MACAddress(mac)!, endpoints: 1)
    }

    static func block(_ text: String) -> IPv4Subnet { IPv4Subnet(text)! }
}
