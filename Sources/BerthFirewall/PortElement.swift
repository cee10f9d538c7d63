import BerthAddress

/// One published host port as the firewall sees it: one element of a DNAT map. The container
/// address's family picks the maps (IPv4: `ports` / `ports-any`, IPv6: `ports6` / `ports6-any`),
/// and `hostIP` picks between the one-address map and the any-address one. A published range is
/// one element per port, so every lookup is a single hash probe.
public struct PortElement: Sendable, Hashable {
    /// The local address the port is published on (of `containerIP`'s family); nil for every
    /// local address of that family.
    public var hostIP: IPAddress?
    /// TCP or UDP.
    public var proto: TransportProtocol
    /// The host port traffic arrives on.
    public var hostPort: UInt16
    /// The container's address, the DNAT target; its family decides the maps.
    public var containerIP: IPAddress
    /// The container's port, the DNAT target port.
    public var containerPort: UInt16

    /// `hostIP`, when given, must be of `containerIP`'s family.
    public init(hostIP: IPAddress?, proto: TransportProtocol, hostPort: UInt16,
                containerIP: IPAddress, containerPort: UInt16) {
        precondition(hostIP == nil || hostIP?.family == containerIP.family,
                     "published on \(hostIP.map { "\($0)" } ?? "") for \(containerIP): the families differ")
        self.hostIP = hostIP
        self.proto = proto
        self.hostPort = hostPort
        self.containerIP = containerIP
        self.containerPort = containerPort
    }

    /// The address family of the element's maps.
    var family: IPFamily { containerIP.family }

    /// The map this element lives in.
    var map: String {
        switch (family, hostIP == nil) {
        case (.ipv4, false): Ruleset.addressMap
        case (.ipv4, true): Ruleset.anyAddressMap
        case (.ipv6, false): Ruleset.addressMap6
        case (.ipv6, true): Ruleset.anyAddressMap6
        }
    }

    /// The element's key as nft writes it: `[ADDR . ]PROTO . PORT`.
    var key: String {
        assert(hostIP == nil || hostIP?.family == family, "host and container addresses of different families")
        let prefix = hostIP.map { "\($0) . " } ?? ""
        return "\(prefix)\(proto.rawValue) . \(hostPort)"
    }

    /// Key and value: `KEY : CONTAINER_IP . CONTAINER_PORT`.
    var mapping: String { "\(key) : \(containerIP) . \(containerPort)" }
}
