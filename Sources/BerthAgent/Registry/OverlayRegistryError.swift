import BerthAddress

/// Why a registry operation refused or failed; each prints as one line.
public enum OverlayRegistryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Bad input, refused before anything was written.
    case invalid(String)
    /// The network exists in etcd with a definition other than the one asked for.
    case disagreement(String)
    /// The network has no definition in etcd.
    case notDefined(network: String)
    /// Every block is reserved; the message names the reservations without a live peer.
    case exhausted(String)
    /// The block's reservation no longer names this host (forgotten by an operator, or taken).
    case reservationLost(network: String, block: IPv4Subnet)
    /// `forget` refused: the block's host is alive.
    case blockAlive(String)
    /// `forget` found no reservation for the block.
    case noReservation(network: String, block: IPv4Subnet)
    /// A stored value could not be read.
    case corrupt(key: String, reason: String)

    public var description: String {
        switch self {
        case .invalid(let m), .disagreement(let m), .exhausted(let m), .blockAlive(let m): return m
        case .notDefined(let n): return "overlay network '\(n)' is not defined in etcd"
        case .reservationLost(let n, let b): return "block \(b) of overlay network '\(n)' is no longer reserved for this host"
        case .noReservation(let n, let b): return "overlay network '\(n)' has no reservation for block \(b)"
        case .corrupt(let key, let reason): return "unreadable value at etcd key \(key): \(reason)"
        }
    }
}
