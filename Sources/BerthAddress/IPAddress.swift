/// An address of either family, for the places that hold one or the other: a published port's
/// host address, a static address a runtime asks for, a DNAT target.
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    case v4(IPv4Address)
    case v6(IPv6Address)

    /// Parses either family's text form (`192.0.2.1`, `2001:db8::1`); brackets are not part of
    /// an address (the callers that accept `[2001:db8::1]` strip them). Inlinable for the
    /// reason ``IPv4Address/init(_:)`` is.
    @inlinable
    public init?(_ text: some StringProtocol) {
        if let v4 = IPv4Address(text) {
            self = .v4(v4)
        } else if let v6 = IPv6Address(text) {
            self = .v6(v6)
        } else {
            return nil
        }
    }

    /// The address family.
    public var family: IPFamily {
        switch self {
        case .v4: .ipv4
        case .v6: .ipv6
        }
    }

    /// `0.0.0.0` or `::`: "every local address of this family" where a host address is asked for.
    public var isUnspecified: Bool {
        switch self {
        case .v4(let a): a.value == 0
        case .v6(let a): a.isUnspecified
        }
    }

    /// The IPv4 address, if it is one.
    public var ipv4: IPv4Address? { if case .v4(let a) = self { a } else { nil } }
    /// The IPv6 address, if it is one.
    public var ipv6: IPv6Address? { if case .v6(let a) = self { a } else { nil } }

    /// Dotted quad, or RFC 5952 text without brackets.
    public var description: String {
        switch self {
        case .v4(let a): a.description
        case .v6(let a): a.description
        }
    }

    /// The form that can precede `:PORT`: IPv6 in brackets (`[2001:db8::1]`), IPv4 as is.
    public var bracketedDescription: String {
        switch self {
        case .v4(let a): a.description
        case .v6(let a): "[\(a)]"
        }
    }
}

/// IPv4 or IPv6.
public enum IPFamily: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    case ipv4, ipv6
    /// "IPv4" or "IPv6", as messages name the families.
    public var description: String { self == .ipv4 ? "IPv4" : "IPv6" }
}
