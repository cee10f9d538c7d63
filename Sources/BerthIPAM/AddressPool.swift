import BerthAddress

/// An address range carved into equally sized subnets, e.g. `172.17.0.0/16:24` is the 256
/// /24 networks 172.17.0.0/24 … 172.17.255.0/24. New networks without an explicit subnet get
/// the first free one (see ``SubnetChooser``).
public struct AddressPool: Hashable, Sendable, CustomStringConvertible {
    /// The range the subnets are carved from.
    public let base: IPv4Subnet
    /// The prefix length of each subnet carved from ``base``.
    public let size: Int

    /// The largest subnet prefix a pool may hand out. A /30 is the smallest network that holds a
    /// gateway plus one container; /31 and /32 make no sense for a bridge.
    public static let maximumSize = 30

    /// Creates a pool; nil unless `base.prefixLength <= size <= 30`.
    public init?(base: IPv4Subnet, size: Int) {
        guard size >= base.prefixLength, size <= AddressPool.maximumSize else { return nil }
        self.base = base
        self.size = size
    }

    /// Parses `BASE/PREFIX:SIZE` (`172.17.0.0/16:24`). A bare `BASE/PREFIX` is a pool of exactly
    /// one subnet (size = prefix). Surrounding whitespace is ignored; host bits in BASE are not.
    public init?(_ text: some StringProtocol) {
        let trimmed = text.trimmingASCIIWhitespace()
        let parts = trimmed.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2, let base = IPv4Subnet(parts[0]) else { return nil }
        var size = base.prefixLength
        if parts.count == 2 {
            // Accept an optional leading "/" ("10.0.0.0/8:/24") since people write it both ways.
            var sizeText = parts[1]
            if sizeText.first == "/" { sizeText = sizeText.dropFirst() }
            guard !sizeText.isEmpty, sizeText.count <= 2, sizeText.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let n = Int(sizeText) else { return nil }
            size = n
        }
        self.init(base: base, size: size)
    }

    /// Creates a pool from known-good literals; only for the built-in defaults.
    private init(uncheckedBase base: String, size: Int) {
        self.init(base: IPv4Subnet(base)!, size: size)!
    }

    /// The built-in pools, in preference order: the Docker-style 172.17–172.31 /16s, then
    /// 192.168.0.0/16, then Podman's 10.88.0.0/13 — all carved into /24s.
    public static let defaults: [AddressPool] =
        (17...31).map { AddressPool(uncheckedBase: "172.\($0).0.0/16", size: 24) }
        + [AddressPool(uncheckedBase: "192.168.0.0/16", size: 24),
           AddressPool(uncheckedBase: "10.88.0.0/13", size: 24)]

    /// Parses a comma-separated list (the `BERTH_POOLS` format). Empty entries between commas
    /// are ignored; a list with no entries at all, or any malformed entry, throws
    /// ``IPAMError`` naming the bad entry.
    public static func parseList(_ text: String) throws -> [AddressPool] {
        var pools: [AddressPool] = []
        for entry in text.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = entry.trimmingASCIIWhitespace()
            if trimmed.isEmpty { continue }
            guard let pool = AddressPool(trimmed) else { throw IPAMError.invalidPool(String(trimmed)) }
            if let block = pool.base.specialPurposeBlock { throw IPAMError.specialPurposePool(String(trimmed), block) }
            pools.append(pool)
        }
        guard !pools.isEmpty else { throw IPAMError.emptyPoolList }
        return pools
    }

    /// The number of subnets in the pool.
    public var count: UInt64 { UInt64(1) << UInt64(size - base.prefixLength) }

    /// The `index`-th subnet of the pool (0-based); `index` must be below ``count``.
    public func subnet(at index: UInt64) -> IPv4Subnet {
        precondition(index < count)
        let step = UInt64(1) << UInt64(32 - size)
        let address = UInt64(base.network.value) + index * step
        return IPv4Subnet(address: IPv4Address(UInt32(address)), prefixLength: size)
    }

    /// `BASE/PREFIX:SIZE`, the same form ``init(_:)`` parses.
    public var description: String { "\(base):\(size)" }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and newlines. (No Foundation here.)
    func trimmingASCIIWhitespace() -> SubSequence {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }),
              let last = lastIndex(where: { !isSpace($0) }) else { return self[endIndex...] }
        return self[first...last]
    }
}
