import BerthAddress

/// The etcd key layout of docs/overlay.md, under a prefix `P` (default `/berth`):
/// `P/overlay/N/config`, `P/overlay/N/reservations/10.240.3.0-24`, `P/overlay/N/peers/10.240.3.0-24`.
public struct OverlayKeys: Sendable, Equatable {
    /// The prefix without a trailing slash (`/berth`).
    public let prefix: String

    /// Keys under `prefix` (trailing slashes dropped; must start with `/`).
    public init(prefix: String = "/berth") throws {
        var p = Substring(prefix)
        while p.hasSuffix("/") { p = p.dropLast() }
        guard prefix.hasPrefix("/"), !p.isEmpty else {
            throw OverlayRegistryError.invalid("etcd prefix '\(prefix)' must start with '/' and name something, e.g. /berth")
        }
        self.prefix = String(p)
    }

    /// `P/overlay/`: every network.
    public var overlays: String { "\(prefix)/overlay/" }
    /// `P/overlay/N/`: everything of network `N` (the trailing slash keeps `net` from matching `net2`).
    public func network(_ n: String) -> String { "\(overlays)\(n)/" }
    public func config(_ n: String) -> String { "\(network(n))config" }
    public func reservations(_ n: String) -> String { "\(network(n))reservations/" }
    public func reservation(_ n: String, _ block: IPv4Subnet) -> String { reservations(n) + OverlayKeys.blockName(block) }
    public func peers(_ n: String) -> String { "\(network(n))peers/" }
    public func peer(_ n: String, _ block: IPv4Subnet) -> String { peers(n) + OverlayKeys.blockName(block) }

    /// `10.240.3.0-24` for 10.240.3.0/24 (no `/`, so it stays one key segment).
    public static func blockName(_ block: IPv4Subnet) -> String { "\(block.network)-\(block.prefixLength)" }

    /// The block a key segment names, if it is one.
    public static func block(named name: Substring) -> IPv4Subnet? {
        guard let dash = name.lastIndex(of: "-") else { return nil }
        return IPv4Subnet("\(name[..<dash])/\(name[name.index(after: dash)...])")
    }

    /// What a key under `P/overlay/` is.
    public enum Entry: Sendable, Equatable {
        case config(network: String)
        case reservation(network: String, block: IPv4Subnet)
        case peer(network: String, block: IPv4Subnet)
    }

    /// Reads a key of this layout (nil for anything else): for watch events and listings.
    public func parse(_ key: String) -> Entry? {
        guard key.hasPrefix(overlays) else { return nil }
        let parts = key.dropFirst(overlays.count).split(separator: "/", omittingEmptySubsequences: false)
        if parts.count == 2, parts[1] == "config", !parts[0].isEmpty { return .config(network: String(parts[0])) }
        guard parts.count == 3, !parts[0].isEmpty, let block = OverlayKeys.block(named: parts[2]) else { return nil }
        switch parts[1] {
        case "reservations": return .reservation(network: String(parts[0]), block: block)
        case "peers": return .peer(network: String(parts[0]), block: block)
        default: return nil
        }
    }

    /// Checks a network name can be a key segment.
    public static func validate(network: String) throws {
        guard !network.isEmpty, !network.contains("/"), network.utf8.allSatisfy({ $0 > 0x20 && $0 != 0x7F }) else {
            throw OverlayRegistryError.invalid("overlay network name '\(network)' must be non-empty, without '/' or spaces")
        }
    }
}
