import BerthAddress
import BerthEngine

// TEMPORARY: the Engine overlay API of docs/overlay.md, as the kernel helper will provide it in
// BerthEngine. Deleted when h-kernel is merged (the names then resolve to BerthEngine's).

public struct OverlayDefinition: Sendable, Equatable {
    public var subnet: IPv4Subnet; public var hostPrefix: Int; public var vni: UInt32; public var port: UInt16
    public init(subnet: IPv4Subnet, hostPrefix: Int, vni: UInt32, port: UInt16) {
        self.subnet = subnet; self.hostPrefix = hostPrefix; self.vni = vni; self.port = port
    }
}
public struct OverlayEtcdSettings: Sendable, Equatable {
    public var endpoints: [String]; public var prefix: String
    public var caCert: String?; public var cert: String?; public var key: String?
    public init(endpoints: [String], prefix: String, caCert: String? = nil, cert: String? = nil, key: String? = nil) {
        self.endpoints = endpoints; self.prefix = prefix; self.caCert = caCert; self.cert = cert; self.key = key
    }
}
public struct OverlayJoin: Sendable {
    public var name: String; public var definition: OverlayDefinition; public var block: IPv4Subnet
    public var vtep: IPv4Address; public var etcd: OverlayEtcdSettings
    public var mtu: Int
    public var labels: [String: String]; public var firewall: String?; public var dns: Bool
    public init(name: String, definition: OverlayDefinition, block: IPv4Subnet, vtep: IPv4Address, etcd: OverlayEtcdSettings,
                mtu: Int = 0, labels: [String: String] = [:], firewall: String? = nil, dns: Bool = true) {
        self.name = name; self.definition = definition; self.block = block; self.vtep = vtep; self.etcd = etcd
        self.mtu = mtu; self.labels = labels; self.firewall = firewall; self.dns = dns
    }
}
public struct OverlayPeer: Sendable, Hashable {
    public var block: IPv4Subnet; public var vtep: IPv4Address; public var mac: MACAddress
    public init(block: IPv4Subnet, vtep: IPv4Address, mac: MACAddress) { self.block = block; self.vtep = vtep; self.mac = mac }
}
public struct OverlayLocalNetwork: Sendable, Equatable {
    public var name: String; public var id: String; public var definition: OverlayDefinition
    public var block: IPv4Subnet; public var vtep: IPv4Address; public var mac: MACAddress
    public var vxlanDevice: String; public var bridge: String; public var mtu: Int
    public var etcd: OverlayEtcdSettings; public var endpointCount: Int
    public init(name: String, id: String, definition: OverlayDefinition, block: IPv4Subnet, vtep: IPv4Address, mac: MACAddress,
                vxlanDevice: String, bridge: String, mtu: Int, etcd: OverlayEtcdSettings, endpointCount: Int) {
        self.name = name; self.id = id; self.definition = definition; self.block = block; self.vtep = vtep; self.mac = mac
        self.vxlanDevice = vxlanDevice; self.bridge = bridge; self.mtu = mtu; self.etcd = etcd; self.endpointCount = endpointCount
    }
}
public struct OverlayReconcileReport: Sendable, Equatable {
    public var added: [OverlayPeer]; public var removed: [OverlayPeer]; public var failures: [String]
}
public struct UnderlayRoute: Sendable, Equatable { public var source: IPv4Address; public var device: String; public var mtu: Int }

extension Engine {
    private func notYet() -> BerthError { BerthError.environment("overlay networks are not built into this engine yet") }
    public func underlayRoute(to address: IPv4Address) throws -> UnderlayRoute { throw notYet() }
    public func joinOverlay(_ join: OverlayJoin) throws -> OverlayLocalNetwork { throw notYet() }
    public func overlayNetworks() throws -> [OverlayLocalNetwork] { [] }
    public func reconcileOverlayPeers(network: String, peers: [OverlayPeer]) throws -> OverlayReconcileReport { throw notYet() }
    public func programmedOverlayPeers(network: String) throws -> [OverlayPeer] { [] }
    public func overlayHostID() throws -> String { "0123456789abcdef" }
}
