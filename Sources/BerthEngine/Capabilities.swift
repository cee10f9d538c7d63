import Glibc

/// Checks for the privileges every mutating command needs, so a missing capability is reported
/// up front in one clear line instead of as an EPERM halfway through a transaction.
enum Capabilities {
    static let netAdmin = 12

    /// True when the effective capability set holds CAP_NET_ADMIN.
    static func hasNetAdmin() -> Bool {
        guard let status = try? SystemFile.read("/proc/self/status") else { return geteuid() == 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("CapEff:") {
            let hex = line.dropFirst("CapEff:".count).trimmingCharacters(in: " \t")
            guard let bits = UInt64(hex, radix: 16) else { return false }
            return bits & (1 << UInt64(netAdmin)) != 0
        }
        return false
    }

    /// Throws a permission error unless CAP_NET_ADMIN is held.
    static func requireNetAdmin() throws {
        guard hasNetAdmin() else {
            throw BerthError.permissionDenied("berth needs root (CAP_NET_ADMIN) to change the network; run it with sudo")
        }
    }
}

extension Substring {
    func trimmingCharacters(in set: String) -> String {
        var s = self
        while let f = s.first, set.contains(f) { s.removeFirst() }
        while let l = s.last, set.contains(l) { s.removeLast() }
        return String(s)
    }
}
