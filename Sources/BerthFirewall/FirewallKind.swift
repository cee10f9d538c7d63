/// Which firewall driver Berth uses: the name a user writes in configuration or on the command
/// line (the raw value), like netavark's `firewall_driver`.
public enum FirewallKind: String, Sendable, CaseIterable {
    /// Berth programs nftables itself (``NftablesFirewall``): the default.
    case nftables
    /// Another tool owns the firewall; Berth changes nothing there (``NoFirewall``).
    case none

    /// Parses a user's value, exactly as written (lower case).
    /// - Throws: ``UnknownFirewallKind``, whose message lists the valid values.
    public init(parsing text: String) throws {
        guard let kind = FirewallKind(rawValue: text) else { throw UnknownFirewallKind(value: text) }
        self = kind
    }

    /// A new driver of this kind. Cheap: nothing is loaded or asked of the kernel until it is used.
    public func makeDriver() -> any FirewallDriver {
        switch self {
        case .nftables: return NftablesFirewall()
        case .none: return NoFirewall()
        }
    }
}

/// A firewall driver name that is not one of ``FirewallKind``'s.
public struct UnknownFirewallKind: Error, CustomStringConvertible, Sendable, Equatable {
    /// The value as the user wrote it.
    public let value: String

    /// Names the valid values, so the user need not look them up.
    public var description: String {
        "firewall '\(value)' is not one of: \(FirewallKind.allCases.map(\.rawValue).joined(separator: ", "))"
    }
}
