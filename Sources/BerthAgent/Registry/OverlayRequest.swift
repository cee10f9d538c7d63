import BerthAddress

/// What a `network create --driver overlay` states; nil fields take the stored values (or the
/// defaults when the network is new).
public struct OverlayRequest: Sendable, Equatable {
    public var subnet: IPv4Subnet?
    public var hostPrefix: Int?
    public var vni: UInt32?
    public var port: UInt16?

    public init(subnet: IPv4Subnet? = nil, hostPrefix: Int? = nil, vni: UInt32? = nil, port: UInt16? = nil) {
        self.subnet = subnet
        self.hostPrefix = hostPrefix
        self.vni = vni
        self.port = port
    }

    /// Default block size, VXLAN port, lowest default VNI and the pool default subnets come from.
    public static let defaultHostPrefix = 24
    public static let defaultPort: UInt16 = 4789
    public static let firstVNI: UInt32 = 4096
    public static let subnetPool = IPv4Subnet("10.240.0.0/12")!
    public static let defaultSubnetPrefix = 16

    /// Parses a `--subnet` value: an IPv4 network address with its prefix (one-line errors).
    public static func parseSubnet(_ text: String) throws -> IPv4Subnet {
        if text.contains(":") { throw OverlayRegistryError.invalid("overlay subnets are IPv4 only: '\(text)'") }
        if let subnet = IPv4Subnet(text) { return subnet }
        if IPv4Subnet(text, allowHostBits: true) != nil {
            throw OverlayRegistryError.invalid("subnet '\(text)' has host bits set (write its network address)")
        }
        throw OverlayRegistryError.invalid("subnet '\(text)' is not an IPv4 CIDR like 10.240.0.0/16")
    }

    /// Checks the stated values on their own, before anything is read or written.
    public func validate() throws {
        if let vni, !(1...0xFF_FFFF).contains(vni) { throw OverlayRegistryError.invalid("VNI \(vni) is out of range 1-16777215") }
        if let port, port == 0 { throw OverlayRegistryError.invalid("VXLAN port 0 is not a port") }
        if let subnet { try OverlayRequest.validate(subnet: subnet, hostPrefix: hostPrefix ?? OverlayRequest.defaultHostPrefix) }
        if let hostPrefix, !(1...30).contains(hostPrefix) {
            throw OverlayRegistryError.invalid("host prefix /\(hostPrefix) must be at most 30 (a block needs room for hosts)")
        }
    }

    /// A block size that fits the subnet: longer than its prefix, at most /30.
    static func validate(subnet: IPv4Subnet, hostPrefix: Int) throws {
        if subnet.prefixLength < 8 {
            throw OverlayRegistryError.invalid("overlay subnet \(subnet) is larger than a /8")
        }
        guard hostPrefix > subnet.prefixLength, hostPrefix <= 30 else {
            throw OverlayRegistryError.invalid(
                "host prefix /\(hostPrefix) does not fit subnet \(subnet): it must be longer than /\(subnet.prefixLength) and at most /30")
        }
        if subnet.network.isMulticast || subnet.network.isLoopback || subnet.network.value >> 24 == 0 {
            throw OverlayRegistryError.invalid("overlay subnet \(subnet) is not a usable unicast range")
        }
    }
}
