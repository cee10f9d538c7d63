import BerthFirewall
import BerthNetlink
import BerthStore
import Glibc

extension Engine {
    /// Takes the shared operation lock for a state-changing command (see ``OperationLock``):
    /// `berth gc` waits until this command is done, and never mistakes its half-finished
    /// endpoint for the leftover of a crash. Keep the returned lock alive for the whole command.
    func beginOperation() throws -> OperationLock {
        try lockOperations(.shared)
    }

    /// Takes the operation lock in `mode`. The lock lives in the state directory, which must be
    /// one Berth trusts before anything is created in it (``StateDirectoryPolicy``): the store
    /// checks that when it opens, but an attach takes the lock before its store is open (on
    /// another thread), so the same checks run here first. A fresh state directory is made by
    /// opening the store here.
    func lockOperations(_ mode: OperationLock.Mode) throws -> OperationLock {
        if openedStore == nil {
            if access(settings.stateDirectory, F_OK) != 0 {
                _ = try store
            } else {
                do {
                    try StateDirectoryPolicy.check(settings.stateDirectory)
                    try StateDirectoryPolicy.prepareDatabaseFile(settings.databasePath)
                } catch StoreError.unsafeStateDirectory(let message) {
                    throw BerthError.state(message)
                }
            }
        }
        return try translating { try OperationLock(directory: settings.stateDirectory, mode: mode) }
    }

    /// Restores Berth's firewall from the store when it has gone missing (`nft flush ruleset`,
    /// a firewall reload by another tool), and Berth's accept rule beside Docker when Docker lost
    /// it (a restart after a flush, `iptables -F`). A few nfnetlink queries when all is well, so
    /// it runs on every connect; libnftables is only loaded when there is something to restore.
    /// `intact` is the answer of an earlier probe in this command, if any. Only networks whose
    /// firewall renders rules can need this (``NoFirewall`` is always intact).
    func ensureFirewallTable(present intact: Bool? = nil) throws {
        if intact ?? firewall(.nftables).health().intact { return }
        try translating {
            try store.transaction {
                if try store.networks().allSatisfy({ $0.firewall == FirewallKind.none.rawValue }) { return }
                try synchronizeFirewall()
            }
        }
    }

    /// Re-renders Berth's whole table from the store (`berth firewall reload`).
    public func reloadFirewall() throws {
        try requirePrivileges()
        let lock = try beginOperation()
        defer { withExtendedLifetime(lock) {} }
        try translating { try store.transaction { try synchronizeFirewall() } }
    }
}

/// Keeps SIGINT, SIGTERM and SIGHUP pending while a teardown runs, so an impatient Ctrl-C or a
/// runtime's kill cannot leave a half-removed endpoint behind. The signal is delivered (and
/// acted on) as soon as the teardown is complete.
struct TeardownSignals {
    private var previous = sigset_t()

    static func block() -> TeardownSignals {
        var signals = TeardownSignals()
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGHUP)
        sigprocmask(SIG_BLOCK, &set, &signals.previous)
        return signals
    }

    func restore() {
        var previous = self.previous
        sigprocmask(SIG_SETMASK, &previous, nil)
    }
}
