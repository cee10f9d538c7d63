import BerthAddress

/// A network's definition as etcd holds it: the whole overlay subnet, the size of each host's
/// block, the VXLAN id and UDP port.
public struct OverlayDefinition: Sendable, Equatable {
    public var subnet: IPv4Subnet
    public var hostPrefix: Int
    public var vni: UInt32
    public var port: UInt16

    public init(subnet: IPv4Subnet, hostPrefix: Int, vni: UInt32, port: UInt16 = 4789) {
        self.subnet = subnet
        self.hostPrefix = hostPrefix
        self.vni = vni
        self.port = port
    }
}

/// Where the agent finds etcd for a network (kept in the local record, never used by the engine).
public struct OverlayEtcdSettings: Sendable, Equatable {
    public var endpoints: [String]
    public var prefix: String
    public var caCert: String?
    public var cert: String?
    public var key: String?

    public init(endpoints: [String] = [], prefix: String = "/berth", caCert: String? = nil,
                cert: String? = nil, key: String? = nil) {
        self.endpoints = endpoints
        self.prefix = prefix
        self.caCert = caCert
        self.cert = cert
        self.key = key
    }
}

/// What joining this host to an overlay network needs (the block already claimed in etcd).
public struct OverlayJoin: Sendable {
    public var name: String
    public var definition: OverlayDefinition
    /// This host's block of ``OverlayDefinition/subnet`` (prefix ``OverlayDefinition/hostPrefix``).
    public var block: IPv4Subnet
    /// This host's underlay address: the VXLAN device's local address.
    public var vtep: IPv4Address
    public var etcd: OverlayEtcdSettings
    /// 0: the underlay MTU − 50.
    public var mtu: Int
    public var labels: [String: String]
    /// nil: nftables.
    public var firewall: String?
    public var dns: Bool

    public init(name: String, definition: OverlayDefinition, block: IPv4Subnet, vtep: IPv4Address,
                etcd: OverlayEtcdSettings = OverlayEtcdSettings(), mtu: Int = 0,
                labels: [String: String] = [:], firewall: String? = nil, dns: Bool = false) {
        self.name = name
        self.definition = definition
        self.block = block
        self.vtep = vtep
        self.etcd = etcd
        self.mtu = mtu
        self.labels = labels
        self.firewall = firewall
        self.dns = dns
    }
}

/// One remote host, as the kernel needs it: its block, underlay address and VXLAN MAC.
public struct OverlayPeer: Sendable, Hashable, CustomStringConvertible {
    public var block: IPv4Subnet
    public var vtep: IPv4Address
    public var mac: MACAddress

    public init(block: IPv4Subnet, vtep: IPv4Address, mac: MACAddress) {
        self.block = block
        self.vtep = vtep
        self.mac = mac
    }

    /// `BLOCK=VTEP=MAC`, as the test seam takes and prints it.
    public var description: String { "\(block)=\(vtep)=\(mac)" }

    /// Parses `BLOCK=VTEP=MAC`.
    public init?(_ text: String) {
        let parts = text.split(separator: "=", omittingEmptySubsequences: false)
        guard parts.count == 3, let block = IPv4Subnet(parts[0]), let vtep = IPv4Address(parts[1]),
              let mac = MACAddress(parts[2]) else { return nil }
        self.init(block: block, vtep: vtep, mac: mac)
    }
}

/// A local overlay network as the agent sees it.
public struct OverlayLocalNetwork: Sendable, Equatable {
    public var name: String
    public var id: String
    public var definition: OverlayDefinition
    public var block: IPv4Subnet
    public var vtep: IPv4Address
    public var mac: MACAddress
    public var vxlanDevice: String
    public var bridge: String
    public var mtu: Int
    public var etcd: OverlayEtcdSettings
    public var endpointCount: Int

    public init(name: String, id: String, definition: OverlayDefinition, block: IPv4Subnet, vtep: IPv4Address, mac: MACAddress,
                vxlanDevice: String, bridge: String, mtu: Int, etcd: OverlayEtcdSettings, endpointCount: Int) {
        self.name = name
        self.id = id
        self.definition = definition
        self.block = block
        self.vtep = vtep
        self.mac = mac
        self.vxlanDevice = vxlanDevice
        self.bridge = bridge
        self.mtu = mtu
        self.etcd = etcd
        self.endpointCount = endpointCount
    }
}

/// What one reconcile changed: peers whose entries it added (or completed), peers whose
/// entries it removed, and each failed step in one line.
public struct OverlayReconcileReport: Sendable, Equatable {
    public var added: [OverlayPeer]
    public var removed: [OverlayPeer]
    public var failures: [String]

    public init(added: [OverlayPeer] = [], removed: [OverlayPeer] = [], failures: [String] = []) {
        self.added = added
        self.removed = removed
        self.failures = failures
    }
}

/// The underlay route to an address: the source address and device the kernel would use, and
/// that device's MTU.
public struct UnderlayRoute: Sendable, Equatable {
    public var source: IPv4Address
    public var device: String
    public var mtu: Int

    public init(source: IPv4Address, device: String, mtu: Int) {
        self.source = source
        self.device = device
        self.mtu = mtu
    }
}
