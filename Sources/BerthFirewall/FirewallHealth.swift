/// What Berth's networks need of the kernel's firewall, as one cheap probe finds it: Berth's own
/// table, and — beside Docker — its accept rule in `DOCKER-USER` (see ``DockerAccept``).
///
/// A few nfnetlink requests on one socket (microseconds, no libnftables), so every connect and
/// disconnect can check and repair what `nft flush ruleset`, a Docker restart or `iptables -F`
/// took away.
public struct FirewallHealth: Sendable, Equatable {
    /// Berth's `inet berth` table exists.
    public var tablePresent: Bool
    /// The handles of Berth's accept rules in Docker's `DOCKER-USER` chain; nil when that chain
    /// does not exist (no Docker in this namespace: nothing to accept there).
    public var dockerAccept: [UInt64]?

    /// A health as a probe (or a driver that owns no rules) reports it.
    public init(tablePresent: Bool, dockerAccept: [UInt64]?) {
        self.tablePresent = tablePresent
        self.dockerAccept = dockerAccept
    }

    /// What to assume when nothing can be learnt (the probe failed, or another tool owns the
    /// rules): all is well. A failing probe must not make every connect re-render the firewall.
    public static let assumedIntact = FirewallHealth(tablePresent: true, dockerAccept: nil)

    /// Asks the kernel, in the calling thread's network namespace. Throws when nfnetlink fails.
    public static func probe() throws -> FirewallHealth {
        let probe = try NftablesProbe()
        return FirewallHealth(
            tablePresent: try probe.tableExists(family: 1, name: Ruleset.table),   // NFPROTO_INET
            dockerAccept: try probe.ruleHandles(family: DockerAccept.familyNumber, table: DockerAccept.table,
                                                chain: DockerAccept.chain, comment: DockerAccept.comment))
    }

    /// Docker is there but Berth's accept rule is not: Docker's policy drops Berth's traffic.
    public var dockerAcceptMissing: Bool { dockerAccept?.isEmpty == true }

    /// Nothing to restore (assuming Berth has networks).
    public var intact: Bool { tablePresent && !dockerAcceptMissing }
}
