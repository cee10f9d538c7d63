import CBerthShim
import Glibc

/// Checks for the privileges every mutating command needs, so a missing capability is reported
/// up front in one clear line instead of as an EPERM halfway through a transaction.
enum Capabilities {
    static let netAdmin: Int32 = 12

    /// True when the effective capability set holds CAP_NET_ADMIN (one capget call).
    static func hasNetAdmin() -> Bool {
        let held = berth_has_effective_capability(netAdmin)
        return held < 0 ? geteuid() == 0 : held == 1
    }

    /// Throws a permission error unless CAP_NET_ADMIN is held.
    static func requireNetAdmin() throws {
        guard hasNetAdmin() else {
            throw BerthError.permissionDenied("berth needs root (CAP_NET_ADMIN) to change the network; run it with sudo")
        }
    }
}
