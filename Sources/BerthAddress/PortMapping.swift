/// A transport protocol a port can be published for.
public enum TransportProtocol: String, Hashable, Sendable, CaseIterable {
    case tcp, udp
}

/// One published port range: traffic to `hostIP:hostPort…` (any local address when `hostIP` is
/// nil) is forwarded to the container's `containerPort…`. `count` ports in a row on both sides.
public struct PortMapping: Hashable, Sendable, CustomStringConvertible {
    public var hostIP: IPv4Address?
    public var hostPort: UInt16
    public var containerPort: UInt16
    public var count: UInt16
    public var proto: TransportProtocol

    public init(hostIP: IPv4Address? = nil, hostPort: UInt16, containerPort: UInt16, count: UInt16 = 1,
                proto: TransportProtocol = .tcp) {
        self.hostIP = hostIP
        self.hostPort = hostPort
        self.containerPort = containerPort
        self.count = count
        self.proto = proto
    }

    /// `[HOST_IP:]HOST_PORT[-END]:CONTAINER_PORT[-END][/tcp|/udp]`, as `--publish` prints it.
    public var description: String {
        let host = hostIP.map { "\($0):" } ?? ""
        let hostRange = count > 1 ? "\(hostPort)-\(Int(hostPort) + Int(count) - 1)" : "\(hostPort)"
        let containerRange = count > 1 ? "\(containerPort)-\(Int(containerPort) + Int(count) - 1)" : "\(containerPort)"
        return "\(host)\(hostRange):\(containerRange)/\(proto.rawValue)"
    }
}
