import BerthAddress
import BerthEngine

/// The options a `network create` states; nil: take the stored value (or the default).
public struct StatedDefinition: Sendable, Equatable {
    public var subnet: IPv4Subnet?
    public var hostPrefix: Int?
    public var vni: UInt32?
    public var port: UInt16?
    public init(subnet: IPv4Subnet? = nil, hostPrefix: Int? = nil, vni: UInt32? = nil, port: UInt16? = nil) {
        self.subnet = subnet; self.hostPrefix = hostPrefix; self.vni = vni; self.port = port
    }
}

/// A block claim's outcome.
public struct BlockClaim: Sendable, Equatable {
    public var block: IPv4Subnet
    /// The host already held it (its reservation existed): never undone by a failed join.
    public var reclaimed: Bool
    public init(block: IPv4Subnet, reclaimed: Bool) { self.block = block; self.reclaimed = reclaimed }
}

/// Watch events since a revision, decoded to the picture's changes.
public struct WatchBatch: Sendable, Equatable {
    /// The revision of the response (the picture advances to it even with no changes).
    public var revision: Int64
    public var changes: [OverlayView.Change]
    public init(revision: Int64, changes: [OverlayView.Change]) { self.revision = revision; self.changes = changes }
}

/// Failures the agent treats specially; anything else thrown by the client is "etcd
/// unreachable or failing": keep the kernel as is, back off, re-list.
public enum RegistryFailure: Error, Sendable, Equatable {
    /// The watch's start revision was compacted away: re-list.
    case compacted
    /// The lease is gone (expired while etcd was unreachable, or revoked).
    case leaseGone
    /// A peer key was not put: the block's reservation no longer names this host.
    case reservationLost(String)
}

/// The shared store as the overlay commands and the agent use it (docs/overlay.md, "etcd
/// keys"). Implemented over the registry of Sources/BerthAgent/Registry (``EtcdRegistryClient``),
/// faked in tests.
public protocol OverlayRegistryClient: Sendable {
    /// Defines the network (txn on `config`) or checks the stated options against the stored
    /// definition; the default subnet avoids `localSubnets`. Returns the definition in force and
    /// whether this call created it.
    func define(network: String, stated: StatedDefinition, localSubnets: [IPv4Subnet]) async throws -> (OverlayDefinition, created: Bool)
    /// This host's reservation if it has one, else the lowest free block overlapping none of
    /// `avoiding` (txn per block).
    func claimBlock(network: String, definition: OverlayDefinition, hostID: String, hostname: String,
                    avoiding: [IPv4Subnet]) async throws -> BlockClaim
    /// Deletes this host's `peers/B` and `reservations/B` (txn comparing the host id).
    func leave(network: String, block: IPv4Subnet, hostID: String) async throws
    /// Deletes every key of the network (its definition first, so agents drop it).
    func removeEverywhere(network: String) async throws
    /// Deletes a dead host's reservation; refused while its peer key is alive.
    func forget(network: String, block: IPv4Subnet) async throws
    /// Everything under `P/overlay/`, and the revision it was read at.
    func list() async throws -> OverlayView
    /// Seconds left on the lease of each live peer key of the network.
    func peerTTLs(network: String) async throws -> [IPv4Subnet: Int]

    /// A new lease of `ttl` seconds; its id.
    func grantLease(ttl: Int) async throws -> Int64
    /// Renews the lease; throws ``RegistryFailure/leaseGone`` when it no longer exists.
    func keepAlive(lease: Int64) async throws
    /// Puts this host's `peers/B` under the lease.
    func putPeer(network: String, block: IPv4Subnet, peer: OverlayView.Peer, lease: Int64) async throws
    /// Deletes this host's `peers/B` (only if it still names `hostID`).
    func deletePeer(network: String, block: IPv4Subnet, hostID: String) async throws
    /// Events under `P/overlay/` after `revision` (with `prev_kv`); ends by throwing
    /// ``RegistryFailure/compacted`` or a connection error.
    func watch(after revision: Int64) -> AsyncThrowingStream<WatchBatch, any Error>
    /// Releases connections.
    func shutdown() async
}

/// Makes a client for a network's etcd settings (the live one, or tests' fakes).
public typealias RegistryFactory = @Sendable (OverlayEtcdSettings) throws -> any OverlayRegistryClient
