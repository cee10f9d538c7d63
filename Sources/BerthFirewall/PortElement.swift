import BerthAddress

/// One published host port as the firewall sees it: one element of the `ports` map (when
/// `hostIP` restricts it to one local address) or of the `ports-any` map (any local address).
/// A published range is one element per port, so every lookup is a single hash probe.
public struct PortElement: Sendable, Hashable {
    /// The local address the port is published on; nil for every local address.
    public var hostIP: IPv4Address?
    /// TCP or UDP.
    public var proto: TransportProtocol
    /// The host port traffic arrives on.
    public var hostPort: UInt16
    /// The container's address, the DNAT target.
    public var containerIP: IPv4Address
    /// The container's port, the DNAT target port.
    public var containerPort: UInt16

    public init(hostIP: IPv4Address?, proto: TransportProtocol, hostPort: UInt16,
                containerIP: IPv4Address, containerPort: UInt16) {
        self.hostIP = hostIP
        self.proto = proto
        self.hostPort = hostPort
        self.containerIP = containerIP
        self.containerPort = containerPort
    }

    /// The map this element lives in.
    var map: String { hostIP == nil ? Ruleset.anyAddressMap : Ruleset.addressMap }

    /// The element's key as nft writes it: `[ADDR . ]PROTO . PORT`.
    var key: String {
        let prefix = hostIP.map { "\($0) . " } ?? ""
        return "\(prefix)\(proto.rawValue) . \(hostPort)"
    }

    /// Key and value: `KEY : CONTAINER_IP . CONTAINER_PORT`.
    var mapping: String { "\(key) : \(containerIP) . \(containerPort)" }
}
