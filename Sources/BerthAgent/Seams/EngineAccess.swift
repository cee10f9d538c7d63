import BerthAddress
import BerthEngine

/// The engine as the overlay commands and the agent use it: the Engine overlay API of
/// docs/overlay.md plus the few general calls they need. A protocol so tests drive the agent's
/// logic over a fake kernel.
public protocol OverlayEngineAccess: Sendable {
    func underlayRoute(to address: IPv4Address) throws -> UnderlayRoute
    func joinOverlay(_ join: OverlayJoin) throws -> OverlayLocalNetwork
    func overlayNetworks() throws -> [OverlayLocalNetwork]
    func reconcileOverlayPeers(network: String, peers: [OverlayPeer]) throws -> OverlayReconcileReport
    func programmedOverlayPeers(network: String) throws -> [OverlayPeer]
    /// The network's fast path on this host (nil: none to report).
    func overlayFastPath(network: String) throws -> OverlayFastPathState?
    func overlayHostID() throws -> String
    func removeNetworks(_ names: [String], force: Bool) throws
    /// Every local network's name, driver and IPv4 subnet (overlap checks, the default subnet).
    func localNetworks() throws -> [(name: String, driver: String, subnet: IPv4Subnet?)]
}

extension OverlayEngineAccess {
    /// Doubles without a kernel have no fast path to report.
    public func overlayFastPath(network: String) throws -> OverlayFastPathState? { nil }
}

/// The live engine on a state directory. `Engine` is a class confined to one thread at a time,
/// so each call makes its own (opening nothing until used) and closes it: this value holds only
/// the `Sendable` settings and can go anywhere.
public struct LiveEngine: OverlayEngineAccess {
    public let settings: EngineSettings

    public init(settings: EngineSettings) { self.settings = settings }

    private func with<T>(_ body: (Engine) throws -> T) throws -> T {
        let engine = Engine(settings: settings)
        defer { engine.close() }
        return try body(engine)
    }

    public func underlayRoute(to address: IPv4Address) throws -> UnderlayRoute { try with { try $0.underlayRoute(to: address) } }
    public func joinOverlay(_ join: OverlayJoin) throws -> OverlayLocalNetwork { try with { try $0.joinOverlay(join) } }
    public func overlayNetworks() throws -> [OverlayLocalNetwork] { try with { try $0.overlayNetworks() } }
    public func reconcileOverlayPeers(network: String, peers: [OverlayPeer]) throws -> OverlayReconcileReport {
        try with { try $0.reconcileOverlayPeers(network: network, peers: peers) }
    }
    public func programmedOverlayPeers(network: String) throws -> [OverlayPeer] {
        try with { try $0.programmedOverlayPeers(network: network) }
    }
    public func overlayFastPath(network: String) throws -> OverlayFastPathState? {
        try with { try $0.overlayFastPath(network: network) }
    }
    public func overlayHostID() throws -> String { try with { try $0.overlayHostID() } }
    public func removeNetworks(_ names: [String], force: Bool) throws { try with { try $0.removeNetworks(names, force: force) } }
    public func localNetworks() throws -> [(name: String, driver: String, subnet: IPv4Subnet?)] {
        try with { try $0.networks().map { ($0.network.name, $0.network.driver, $0.network.subnet) } }
    }
}
