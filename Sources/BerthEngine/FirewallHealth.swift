import BerthFirewall
import BerthNetlink

/// What Berth's networks need of the kernel's firewall, as one cheap probe finds it: Berth's own
/// table, and — beside Docker — its accept rule in `DOCKER-USER` (see ``DockerAccept``).
///
/// A few nfnetlink requests on one socket (microseconds, no libnftables), so every connect and
/// disconnect can check and repair what `nft flush ruleset`, a Docker restart or `iptables -F`
/// took away.
struct FirewallHealth {
    /// Berth's `inet berth` table exists.
    var tablePresent: Bool
    /// The handles of Berth's accept rules in Docker's `DOCKER-USER` chain; nil when that chain
    /// does not exist (no Docker in this namespace: nothing to accept there).
    var dockerAccept: [UInt64]?

    static func probe() throws -> FirewallHealth {
        let probe = try NftablesProbe()
        return FirewallHealth(
            tablePresent: try probe.tableExists(family: 1, name: Ruleset.table),   // NFPROTO_INET
            dockerAccept: try probe.ruleHandles(family: DockerAccept.familyNumber, table: DockerAccept.table,
                                                chain: DockerAccept.chain, comment: DockerAccept.comment))
    }

    /// Docker is there but Berth's accept rule is not: Docker's policy drops Berth's traffic.
    var dockerAcceptMissing: Bool { dockerAccept?.isEmpty == true }

    /// Nothing to restore (assuming Berth has networks).
    var intact: Bool { tablePresent && !dockerAcceptMissing }
}

extension Engine {
    /// Leaves exactly one Berth accept rule in Docker's `DOCKER-USER` chain while Berth has
    /// networks, and none once it has none; does nothing without Docker. Runs where the table is
    /// synchronised (network create and remove, gc, `firewall reload`, self-heal), never on a
    /// healthy connect. Docker may change its chain at any moment (a restart, a flush): when the
    /// batch fails for that, it looks again once.
    func synchronizeDockerAccept(wanted: Bool) throws {
        for attempt in 0..<2 {
            let handles = try translating { try FirewallHealth.probe().dockerAccept }
            guard let script = DockerAccept.script(existing: handles, wanted: wanted) else { return }
            do {
                try firewall().run(script)
                return
            } catch where attempt == 0 {
                continue
            }
        }
    }
}
