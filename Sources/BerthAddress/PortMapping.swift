/// A transport protocol a port can be published for.
public enum TransportProtocol: String, Hashable, Sendable, CaseIterable {
    case tcp, udp
}

/// One published port range: traffic to `hostIP:hostPort…` is forwarded to the container's
/// `containerPort…`, `count` ports in a row on both sides.
///
/// `hostIP` nil publishes on every local address of every family the container has;
/// `0.0.0.0` on every IPv4 address only, `::` on every IPv6 address only (as Docker does).
public struct PortMapping: Hashable, Sendable, CustomStringConvertible {
    public var hostIP: IPAddress?
    public var hostPort: UInt16
    public var containerPort: UInt16
    public var count: UInt16
    public var proto: TransportProtocol

    public init(hostIP: IPAddress? = nil, hostPort: UInt16, containerPort: UInt16, count: UInt16 = 1,
                proto: TransportProtocol = .tcp) {
        self.hostIP = hostIP
        self.hostPort = hostPort
        self.containerPort = containerPort
        self.count = count
        self.proto = proto
    }

    /// Whether the mapping covers `family`: the family of its host address, or both without one.
    public func covers(_ family: IPFamily) -> Bool { hostIP.map { $0.family == family } ?? true }

    /// `[HOST_IP:]HOST_PORT[-END]:CONTAINER_PORT[-END][/tcp|/udp]`, as `--publish` prints it.
    public var description: String {
        let host = hostIP.map { "\($0.bracketedDescription):" } ?? ""
        let hostRange = count > 1 ? "\(hostPort)-\(Int(hostPort) + Int(count) - 1)" : "\(hostPort)"
        let containerRange = count > 1 ? "\(containerPort)-\(Int(containerPort) + Int(count) - 1)" : "\(containerPort)"
        return "\(host)\(hostRange):\(containerRange)/\(proto.rawValue)"
    }
}
