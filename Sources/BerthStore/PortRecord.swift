import BerthAddress

/// One published host port as persisted in the store (a published range is one row per port),
/// with the endpoint fields needed to render it and to name its owner.
public struct PortRecord: Sendable, Equatable {
    /// The endpoint publishing the port.
    public var endpoint: String
    /// TCP or UDP.
    public var proto: TransportProtocol
    /// The local address it is published on; nil for every local address of both families,
    /// `0.0.0.0` / `::` for every address of one (see ``PortMapping/hostIP``).
    public var hostIP: IPAddress?
    /// The host port.
    public var hostPort: UInt16
    /// The container port traffic is forwarded to.
    public var containerPort: UInt16
    /// The endpoint's network.
    public var network: String
    /// The endpoint's container id or name.
    public var containerID: String
    /// The endpoint's IPv4 address: the DNAT target for IPv4 (nil without one).
    public var containerAddress: IPv4Address?
    /// The endpoint's IPv6 address: the DNAT target for IPv6 (nil without one).
    public var containerAddress6: IPv6Address?

    public init(endpoint: String, proto: TransportProtocol, hostIP: IPAddress?, hostPort: UInt16,
                containerPort: UInt16, network: String, containerID: String, containerAddress: IPv4Address?,
                containerAddress6: IPv6Address? = nil) {
        self.endpoint = endpoint
        self.proto = proto
        self.hostIP = hostIP
        self.hostPort = hostPort
        self.containerPort = containerPort
        self.network = network
        self.containerID = containerID
        self.containerAddress = containerAddress
        self.containerAddress6 = containerAddress6
    }

    /// Folds rows back into the ranges they were published as: consecutive host and container
    /// ports of one endpoint, address and protocol become one mapping. `records` must be ordered
    /// as the store returns them (endpoint, protocol, address, host port).
    public static func mappings(_ records: [PortRecord]) -> [(endpoint: String, mapping: PortMapping)] {
        var out: [(endpoint: String, mapping: PortMapping)] = []
        for r in records {
            if let last = out.last, last.endpoint == r.endpoint, last.mapping.proto == r.proto,
               last.mapping.hostIP == r.hostIP,
               Int(last.mapping.hostPort) + Int(last.mapping.count) == Int(r.hostPort),
               Int(last.mapping.containerPort) + Int(last.mapping.count) == Int(r.containerPort) {
                out[out.count - 1].mapping.count += 1
            } else {
                out.append((r.endpoint, PortMapping(hostIP: r.hostIP, hostPort: r.hostPort,
                                                    containerPort: r.containerPort, proto: r.proto)))
            }
        }
        return out
    }
}
