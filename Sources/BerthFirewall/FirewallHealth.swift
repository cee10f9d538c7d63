/// What Berth's networks need of the kernel's firewall, as one cheap probe finds it: Berth's own
/// table, and — beside Docker — its accept rules in `DOCKER-USER`, IPv4's and (where Docker runs
/// ip6tables) IPv6's (see ``DockerAccept``).
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
    /// The same for Docker's IPv6 `DOCKER-USER` chain (table `ip6 filter`); nil without it.
    public var dockerAccept6: [UInt64]?

    /// A health as a probe (or a driver that owns no rules) reports it.
    public init(tablePresent: Bool, dockerAccept: [UInt64]?, dockerAccept6: [UInt64]? = nil) {
        self.tablePresent = tablePresent
        self.dockerAccept = dockerAccept
        self.dockerAccept6 = dockerAccept6
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
                                                chain: DockerAccept.chain, comment: DockerAccept.comment),
            dockerAccept6: try probe.ruleHandles(family: DockerAccept.familyNumber6, table: DockerAccept.table,
                                                 chain: DockerAccept.chain, comment: DockerAccept.comment))
    }

    /// The handles in one family's `DOCKER-USER` chain (`ip` or `ip6`).
    public func dockerAccept(family: String) -> [UInt64]? {
        family == DockerAccept.family6 ? dockerAccept6 : dockerAccept
    }

    /// Docker is there but Berth's accept rule is not (in either family's chain): Docker's
    /// policy drops Berth's traffic.
    public var dockerAcceptMissing: Bool { dockerAccept?.isEmpty == true || dockerAccept6?.isEmpty == true }

    /// Some Berth accept rule is there beside Docker (stray, once Berth has no network).
    public var dockerAcceptPresent: Bool { dockerAccept?.isEmpty == false || dockerAccept6?.isEmpty == false }

    /// Nothing to restore (assuming Berth has networks).
    public var intact: Bool { tablePresent && !dockerAcceptMissing }
}
