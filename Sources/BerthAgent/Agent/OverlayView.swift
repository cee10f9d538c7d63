import BerthAddress
import BerthEngine

/// The agent's picture of `P/overlay/` in etcd: what the last full listing said, with every
/// watch event since applied. Reconciling computes the kernel's desired entries from this
/// alone, so a pass never waits on etcd (and an unreachable etcd leaves the picture, and the
/// kernel, as they were).
public struct OverlayView: Sendable, Equatable {
    /// A live host in a network: its `peers/B` key (attached to its agent's lease).
    public struct Peer: Sendable, Equatable {
        public var host: String
        public var hostname: String
        public var vtep: IPv4Address
        public var mac: MACAddress
        public var endpoints: Int
        public init(host: String, hostname: String, vtep: IPv4Address, mac: MACAddress, endpoints: Int) {
            self.host = host; self.hostname = hostname; self.vtep = vtep; self.mac = mac; self.endpoints = endpoints
        }
    }

    /// A block's owner: its `reservations/B` key (no lease: it outlives the agent).
    public struct Reservation: Sendable, Equatable {
        public var host: String
        public var hostname: String
        public init(host: String, hostname: String) { self.host = host; self.hostname = hostname }
    }

    /// One network's keys.
    public struct Network: Sendable, Equatable {
        /// The `config` key; nil when the network's other keys are seen without it.
        public var definition: OverlayDefinition?
        public var reservations: [IPv4Subnet: Reservation] = [:]
        public var peers: [IPv4Subnet: Peer] = [:]
        public init(definition: OverlayDefinition? = nil) { self.definition = definition }
        var isEmpty: Bool { definition == nil && reservations.isEmpty && peers.isEmpty }
    }

    /// One key's change, as a listing or a watch event decodes it (nil: the key was deleted).
    public enum Change: Sendable, Equatable {
        case definition(network: String, OverlayDefinition?)
        case reservation(network: String, block: IPv4Subnet, Reservation?)
        case peer(network: String, block: IPv4Subnet, Peer?)

        public var network: String {
            switch self {
            case .definition(let n, _), .reservation(let n, _, _), .peer(let n, _, _): return n
            }
        }
    }

    /// The etcd revision the picture is at (the listing's, then each event's).
    public var revision: Int64
    public var networks: [String: Network]

    public init(revision: Int64 = 0, networks: [String: Network] = [:]) {
        self.revision = revision
        self.networks = networks
    }

    /// Applies one change. A network left with no keys at all is dropped.
    public mutating func apply(_ change: Change) {
        let name = change.network
        var network = networks[name] ?? Network()
        switch change {
        case .definition(_, let definition): network.definition = definition
        case .reservation(_, let block, let r): network.reservations[block] = r
        case .peer(_, let block, let p): network.peers[block] = p
        }
        networks[name] = network.isEmpty ? nil : network
    }

    /// A picture built from a full listing's changes at `revision`.
    public init(revision: Int64, changes: [Change]) {
        self.init(revision: revision)
        for change in changes { apply(change) }
    }
}
