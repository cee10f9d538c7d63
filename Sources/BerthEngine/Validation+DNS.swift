import BerthAddress

/// The name service's inputs: a network's domain, a container's name and aliases, upstreams.
extension Validation {
    /// A network's DNS domain, normalised: lowercased, one trailing dot dropped. Labels of 1–63
    /// letters, digits and `-`, not starting or ending with `-`; at most 253 characters.
    public static func dnsDomain(_ text: String) throws -> String {
        var domain = text.lowercased()
        if domain.hasSuffix(".") { domain.removeLast() }
        guard isDNSName(domain, underscore: false) else {
            throw BerthError.invalidArgument(
                "invalid DNS domain '\(printable(text))': use labels of 1-63 letters, digits or '-' (not at either end) separated by dots, 253 characters at most")
        }
        return domain
    }

    /// A container alias (`--alias`, CNI `aliases`): a DNS name whose labels may also hold `_`
    /// (as container names do).
    public static func alias(_ text: String) throws {
        guard isDNSName(text, underscore: true) else {
            throw BerthError.invalidArgument(
                "invalid alias '\(printable(text))': use a DNS name (labels of 1-63 letters, digits, '-' or '_', separated by dots)")
        }
    }

    /// Whether a container's name can be looked up in the name service.
    public static func isContainerDNSName(_ text: String) -> Bool { isDNSName(text, underscore: true) }

    /// An upstream name server (`--dns ADDRESS`): a unicast address.
    public static func dnsServer(_ address: IPAddress) throws {
        let unusable: Bool
        switch address {
        case .v4(let a): unusable = a.value == 0 || a.value >> 28 == 0xE || a.value == 0xFFFF_FFFF
        case .v6(let a): unusable = a == .unspecified || a.isMulticast
        }
        if unusable { throw BerthError.invalidArgument("invalid DNS server \(address): not a unicast address") }
    }

    /// Labels of 1–63 of `[A-Za-z0-9-]` (and `_` if allowed), no `-` at either end of a label,
    /// 253 characters at most, no empty label.
    static func isDNSName(_ text: String, underscore: Bool) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty, bytes.count <= 253 else { return false }
        for label in bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard (1...63).contains(label.count), label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-") else { return false }
            guard label.allSatisfy({ isAlnum($0) || $0 == UInt8(ascii: "-") || (underscore && $0 == UInt8(ascii: "_")) }) else { return false }
        }
        return true
    }
}
