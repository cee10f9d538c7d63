import Glibc
import Synchronization

/// The nftables driver: Berth's own `inet berth` table (``Ruleset``) and, beside Docker, its one
/// accept rule in `DOCKER-USER` (``DockerAccept``).
///
/// Creating one costs nothing: libnftables (~2 ms to load with the libraries it pulls in) is
/// loaded on the first call that changes or lists rules, so a connect that finds the firewall
/// healthy through ``health()`` (a few nfnetlink requests) never loads it.
public final class NftablesFirewall: FirewallDriver {
    private var loaded: Firewall?

    /// A driver that loads libnftables when first needed.
    public init() {}

    /// A driver over an adapter the caller already loaded, so one command loads it only once.
    public init(loaded firewall: Firewall) {
        loaded = firewall
    }

    /// Always ``FirewallKind/nftables``.
    public var kind: FirewallKind { .nftables }

    /// Starts loading libnftables on a thread of its own (``LibNftablesPreload``), unless this
    /// driver has it already.
    public func prepare() {
        if loaded == nil { LibNftablesPreload.start() }
    }

    /// The libnftables adapter, loaded on first use.
    func nft() throws -> Firewall {
        if let loaded { return loaded }
        let fw = try Firewall()
        loaded = fw
        return fw
    }

    /// Renders Berth's table from `networks` and `ports` in one transaction, then leaves exactly
    /// one Berth accept rule in Docker's `DOCKER-USER` while there are networks and none once
    /// there are none.
    public func synchronize(_ networks: [FirewallNetwork], ports: [PortElement]) throws {
        // Docker's chains are probed before the commit: a probe socket closed after a commit
        // waits for nf_tables to finish it (``CommitRelease``). Berth's commit does not touch them.
        let before = try? FirewallHealth.probe()
        if before?.tablePresent == false, !Self.bridgeTableMayExist(), try nft().create(networks, ports: ports) {
            // Made from nothing: nothing replaced, no grace period to wait for.
        } else {
            try nft().synchronize(networks, ports: ports)
        }
        try synchronizeDockerAccept(wanted: !networks.isEmpty, probed: before)
        // (No networks: the table is gone, and a later probe must see that.)
        Self.renderedAt.store(networks.isEmpty ? 0 : Self.monotonicNow(), ordering: .relaxed)
    }

    /// Whether Berth's bridge-family table may be there (a leftover the full render would
    /// remove): true unless the kernel says it is not.
    private static func bridgeTableMayExist() -> Bool {
        (try? NftablesProbe.tableExists(family: Ruleset.bridgeFamilyNumber, name: Ruleset.table)) ?? true
    }

    /// When this process last rendered Berth's table with networks in it (monotonic ns, 0:
    /// never). A health probe within ``renderedRecently`` of that would only find the table it
    /// made, and would cost a grace period to close (``CommitRelease``).
    private static let renderedAt = Atomic<Int64>(0)
    /// How long a render vouches for the firewall's health: one command's length, so a
    /// long-lived process still notices `nft flush ruleset` afterwards.
    static let renderedRecently: Int64 = 1_000_000_000

    private static func monotonicNow() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// Adds the ports' map elements in one batch: no rule changes, no read-back.
    public func publish(_ ports: [PortElement]) throws {
        guard !ports.isEmpty else { return }
        try nft().publish(ports)
    }

    /// Removes the ports' map elements in one batch; fails (changing nothing) if one is missing.
    public func unpublish(_ ports: [PortElement]) throws {
        guard !ports.isEmpty else { return }
        try nft().unpublish(ports)
    }

    /// The nfnetlink probe (no libnftables); all is well when it cannot tell.
    public func health() -> FirewallHealth {
        let rendered = Self.renderedAt.load(ordering: .relaxed)
        if rendered != 0, Self.monotonicNow() - rendered < Self.renderedRecently { return .assumedIntact }
        return (try? FirewallHealth.probe()) ?? .assumedIntact
    }

    /// Whether Berth's table mentions the network (its chains are named after the id). A missing
    /// table, or libnftables failing to load, means the rules are not there.
    public func hasRules(forNetworkID id: String) -> Bool {
        (try? nft().run(Self.listTable))?.contains(id) ?? false
    }

    /// Reads Berth's table and the whole ruleset and reports what ``findings(for:table:ruleset:health:)``
    /// makes of them.
    public func diagnose(_ networks: [FirewallNetwork]) -> [FirewallFinding] {
        guard !networks.isEmpty else { return [] }
        let fw: Firewall
        do {
            fw = try nft()
        } catch {
            // Without libnftables nothing can be read: say so rather than call the table missing.
            return [FirewallFinding(problem: "\(error)", fix: "install the nftables package (libnftables1)")]
        }
        let table = try? fw.run(Self.listTable)
        let ruleset = table == nil ? "" : (try? fw.run("list ruleset")) ?? ""
        return Self.findings(for: networks, table: table, ruleset: ruleset, health: health())
    }

    /// The command that prints Berth's table (and fails when it is missing).
    static let listTable = "list table \(Ruleset.family) \(Ruleset.table)"

    /// Leaves exactly one Berth accept rule in each of Docker's `DOCKER-USER` chains (IPv4's and,
    /// with ip6tables, IPv6's) when `wanted`, and none otherwise; does nothing without Docker.
    /// Docker may change its chains at any moment (a restart, a flush): when the batch fails for
    /// that, it looks again once.
    private func synchronizeDockerAccept(wanted: Bool, probed: FirewallHealth?) throws {
        for attempt in 0..<2 {
            let health = try (attempt == 0 ? probed : nil) ?? FirewallHealth.probe()
            let script = [DockerAccept.family, DockerAccept.family6].compactMap {
                DockerAccept.script(existing: health.dockerAccept(family: $0), wanted: wanted, family: $0)
            }.joined()
            guard !script.isEmpty else { return }
            do {
                try nft().change(script)
                return
            } catch where attempt == 0 {
                continue
            }
        }
    }
}
