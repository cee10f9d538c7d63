import BerthAddress
import BerthEtcd

/// One live host of a network: its `peers/B` key.
public struct OverlayPeerEntry: Sendable, Equatable {
    public var block: IPv4Subnet
    public var record: OverlayPeerRecord
    /// The etcd lease the key is attached to (0: none); its TTL is what `overlay status` shows.
    public var lease: Int64

    public init(block: IPv4Subnet, record: OverlayPeerRecord, lease: Int64) {
        self.block = block
        self.record = record
        self.lease = lease
    }
}

/// What etcd holds for one network at one revision.
public struct OverlayNetworkSnapshot: Sendable, Equatable {
    public var name: String
    /// Nil when the definition is gone (deleted everywhere) but other keys remain.
    public var config: OverlayConfig?
    public var reservations: [OverlayReservation]
    public var peers: [OverlayPeerEntry]
    /// Keys whose values could not be read (named so status can show them).
    public var unreadable: [String]

    public init(name: String, config: OverlayConfig? = nil, reservations: [OverlayReservation] = [],
                peers: [OverlayPeerEntry] = [], unreadable: [String] = []) {
        self.name = name
        self.config = config
        self.reservations = reservations
        self.peers = peers
        self.unreadable = unreadable
    }

    /// The peers a host must program: every live peer but its own, by block.
    public func remotePeers(excludingHost hostID: String) -> [OverlayPeerEntry] {
        peers.filter { $0.record.host != hostID }
    }

    /// Blocks reserved without a live peer key (hosts down, or reserved and not yet published).
    public var reservedOnly: [OverlayReservation] {
        let live = Set(peers.map(\.block))
        return reservations.filter { !live.contains($0.block) }
    }
}

/// Every network under `P/overlay/` at one revision: what the agent lists before it watches
/// from `revision + 1`.
public struct OverlayListing: Sendable, Equatable {
    public var revision: Int64
    /// By network name, in name order.
    public var networks: [OverlayNetworkSnapshot]

    public subscript(network: String) -> OverlayNetworkSnapshot? { networks.first { $0.name == network } }
}

extension OverlayRegistry {
    /// `network`'s definition, reservations and peers, read in one range.
    public func snapshot(network: String) async throws -> OverlayNetworkSnapshot {
        try OverlayKeys.validate(network: network)
        let answer = try await store.range(key: keys.network(network), prefix: true)
        return build(answer.kvs)[network] ?? OverlayNetworkSnapshot(name: network)
    }

    /// Every network, read in one range (consistent at `revision`).
    public func listAll() async throws -> OverlayListing {
        let answer = try await store.range(key: keys.overlays, prefix: true)
        let byName = build(answer.kvs)
        return OverlayListing(revision: answer.header.revision,
                              networks: byName.keys.sorted().map { byName[$0]! })
    }

    /// Groups keys by network. Unreadable values are listed, not thrown: one bad key must not
    /// hide every other network from the agent.
    func build(_ kvs: [EtcdKeyValue]) -> [String: OverlayNetworkSnapshot] {
        var out: [String: OverlayNetworkSnapshot] = [:]
        func entry(_ name: String, _ body: (inout OverlayNetworkSnapshot) -> Void) {
            var s = out[name] ?? OverlayNetworkSnapshot(name: name)
            body(&s)
            out[name] = s
        }
        for kv in kvs {
            switch keys.parse(kv.key) {
            case .config(let name)?:
                if let c = try? OverlayConfig(json: kv.value) { entry(name) { $0.config = c } }
                else { entry(name) { $0.unreadable.append(kv.key) } }
            case .reservation(let name, let block)?:
                if let r = try? OverlayReservation(block: block, json: kv.value) { entry(name) { $0.reservations.append(r) } }
                else { entry(name) { $0.unreadable.append(kv.key) } }
            case .peer(let name, let block)?:
                if let p = try? OverlayPeerRecord(json: kv.value) {
                    entry(name) { $0.peers.append(OverlayPeerEntry(block: block, record: p, lease: kv.lease)) }
                } else { entry(name) { $0.unreadable.append(kv.key) } }
            case nil:
                continue
            }
        }
        for name in out.keys {
            out[name]!.reservations.sort { $0.block < $1.block }
            out[name]!.peers.sort { $0.block < $1.block }
        }
        return out
    }
}
