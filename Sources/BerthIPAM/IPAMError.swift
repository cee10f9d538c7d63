import BerthAddress

/// Why an address or pool request was refused. Every message is one line meant to be shown to
/// users as is, so each names the offending value and the thing it clashed with.
public enum IPAMError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An entry of a pool list could not be parsed (the entry text, verbatim).
    case invalidPool(String)
    /// A pool lies in a special-purpose block (the entry, and the block's description).
    case specialPurposePool(String, String)
    /// A pool list contained no entries at all.
    case emptyPoolList
    /// A requested address lies outside the network's subnet.
    case notInSubnet(IPv4Address, IPv4Subnet)
    /// A requested address is the subnet's network address.
    case networkAddress(IPv4Address, IPv4Subnet)
    /// A requested address is the subnet's broadcast address.
    case broadcastAddress(IPv4Address, IPv4Subnet)
    /// A requested address is the network's gateway.
    case gatewayAddress(IPv4Address, IPv4Subnet)
    /// The allocation range does not overlap the subnet, so nothing can ever be allocated.
    case rangeOutsideSubnet(range: IPv4Subnet, subnet: IPv4Subnet)
    /// A requested address is already assigned on the named network. Not thrown by this module
    /// (it has no view of the store); provided so callers report the clash in the same voice.
    case addressInUse(IPv4Address, network: String)
    /// No free address is left on the named network. Not thrown by this module (``AddressAllocator/next(subnet:range:gateway:after:isTaken:)``
    /// returns nil instead); provided for callers.
    case exhausted(network: String, IPv4Subnet)
    /// No pool has a subnet left that is free of conflicts.
    case noSubnetAvailable
    /// A requested IPv6 address lies outside the network's IPv6 subnet.
    case notInSubnet6(IPv6Address, IPv6Subnet)
    /// A requested IPv6 address is the subnet-router anycast address (the subnet's first).
    case anycastAddress6(IPv6Address, IPv6Subnet)
    /// A requested IPv6 address is the network's IPv6 gateway.
    case gatewayAddress6(IPv6Address, IPv6Subnet)
    /// The IPv6 allocation range does not overlap the IPv6 subnet.
    case rangeOutsideSubnet6(range: IPv6Subnet, subnet: IPv6Subnet)
    /// Every unique local /64 of the host's prefix overlaps something in use.
    case noSubnet6Available(IPv6Subnet)

    /// A one-line message suitable for showing to users as is.
    public var description: String {
        switch self {
        case .invalidPool(let entry):
            return "invalid address pool '\(entry)' (expected BASE/PREFIX:SIZE, e.g. 172.17.0.0/16:24)"
        case .specialPurposePool(let entry, let block):
            return "address pool '\(entry)' lies in the \(block) block, where no container network can live"
        case .emptyPoolList:
            return "the address pool list is empty (expected e.g. 172.17.0.0/16:24,10.88.0.0/13:24)"
        case .notInSubnet(let ip, let subnet):
            return "\(ip) is not in subnet \(subnet)"
        case .networkAddress(let ip, let subnet):
            return "\(ip) is the network address of subnet \(subnet)"
        case .broadcastAddress(let ip, let subnet):
            return "\(ip) is the broadcast address of subnet \(subnet)"
        case .gatewayAddress(let ip, let subnet):
            return "\(ip) is the gateway address of subnet \(subnet)"
        case .rangeOutsideSubnet(let range, let subnet):
            return "IP range \(range) is not inside subnet \(subnet)"
        case .addressInUse(let ip, let network):
            return "address \(ip) is already in use on network '\(network)'"
        case .exhausted(let network, let subnet):
            return "no free address left on network '\(network)' (\(subnet))"
        case .notInSubnet6(let ip, let subnet):
            return "\(ip) is not in subnet \(subnet)"
        case .anycastAddress6(let ip, let subnet):
            return "\(ip) is the subnet-router anycast address of subnet \(subnet)"
        case .gatewayAddress6(let ip, let subnet):
            return "\(ip) is the gateway address of subnet \(subnet)"
        case .rangeOutsideSubnet6(let range, let subnet):
            return "IP range \(range) is not inside subnet \(subnet)"
        case .noSubnet6Available(let prefix):
            return "no free IPv6 /64 left in \(prefix) (all overlap existing networks or host routes); pass an IPv6 --subnet"
        case .noSubnetAvailable:
            return "no free subnet left in the address pools (all overlap existing networks, host routes or nameservers); pass --subnet or set BERTH_POOLS"
        }
    }
}
