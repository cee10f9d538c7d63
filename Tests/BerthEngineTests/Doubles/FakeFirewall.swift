import BerthFirewall
import Synchronization

/// A ``FirewallDriver`` that keeps the rules it was given in memory: the networks of the last
/// full render and the published ports. Like nftables, `publish` and `unpublish` are all or
/// nothing and fail on an element already there or missing, so the engine's fallback to a full
/// render is exercised. Failures and hooks per step (``script``); the health it reports can be
/// set.
final class FakeFirewall: FirewallDriver, Sendable {
    enum Step: Hashable, Sendable {
        case synchronize, publish, unpublish
        /// The cheap probe and the hint that a render may come: recorded (and hooks run), never failed.
        case health, prepare
    }

    /// What the fake holds: the rendered networks, the published ports, and the networks each
    /// `synchronize` was given (in order).
    struct Rules: Equatable, Sendable {
        var networks: [FirewallNetwork] = []
        var ports: Set<PortElement> = []
        var renders: [[String]] = []
    }

    let kind: FirewallKind
    let script = StepScript<Step>()
    private let state: Mutex<Rules>
    private let reported = Mutex(FirewallHealth.assumedIntact)
    /// When set, an armed `synchronize` failure applies the rules first, then fails: what
    /// nftables does when the table went in and the accept rule beside Docker did not.
    private let failsAfterApplying = Atomic<Bool>(false)

    init(kind: FirewallKind, rules: Rules = Rules()) {
        self.kind = kind
        state = Mutex(rules)
    }

    /// A copy of the rules as they are now.
    var rules: Rules { state.withLock { $0 } }
    /// The names of the rendered networks.
    var networkNames: Set<String> { Set(rules.networks.map(\.name)) }

    /// Sets what ``health()`` reports.
    func report(_ health: FirewallHealth) { reported.withLock { $0 = health } }

    /// Makes an armed `synchronize` failure apply the rules before it fails.
    func failAfterApplying(_ yes: Bool) { failsAfterApplying.store(yes, ordering: .relaxed) }

    func synchronize(_ networks: [FirewallNetwork], ports: [PortElement]) throws {
        let apply = {
            self.state.withLock { rules in
                rules.networks = networks
                rules.ports = Set(ports)
                rules.renders.append(networks.map(\.name))
            }
        }
        do {
            try script.enter(.synchronize)
        } catch {
            if failsAfterApplying.load(ordering: .relaxed) { apply() }
            throw error
        }
        apply()
    }

    func publish(_ ports: [PortElement]) throws {
        try script.enter(.publish)
        try state.withLock { rules in
            if let there = ports.first(where: rules.ports.contains) { throw Refused(element: there) }
            rules.ports.formUnion(ports)
        }
    }

    func unpublish(_ ports: [PortElement]) throws {
        try script.enter(.unpublish)
        try state.withLock { rules in
            if let missing = ports.first(where: { !rules.ports.contains($0) }) { throw Refused(element: missing) }
            rules.ports.subtract(ports)
        }
    }

    func health() -> FirewallHealth {
        try? script.enter(.health)
        return reported.withLock { $0 }
    }

    func prepare() { try? script.enter(.prepare) }

    func hasRules(forNetworkID id: String) -> Bool { rules.networks.contains { $0.id == id } }

    func diagnose(_ networks: [FirewallNetwork]) -> [FirewallFinding] { [] }

    /// A batch refused because of one element (already there, or missing).
    struct Refused: Error {
        let element: PortElement
    }
}
