/// Why the agent reconciles: level-triggered, so every trigger leads to the same computation
/// (desired peers from the picture of etcd, compared with the kernel by the engine); triggers
/// differ only in how much they cover. Pending triggers merge into one pass.
public enum ReconcileTrigger: Sendable, Equatable {
    /// The agent started, or reconnected to etcd and listed everything again.
    case start
    /// Watch events touched these networks.
    case watch(Set<String>)
    /// SIGHUP (a `network create` on this host, or the operator).
    case hangup
    /// The 5 s timer.
    case timer
    /// A new lease replaced a lost one: every peer key must be put again under it.
    case newLease
}

/// One reconcile pass: what to cover.
public struct ReconcilePass: Sendable, Equatable {
    /// Read the local overlay networks from the engine again (appearing or disappearing ones).
    public var refreshLocal: Bool
    /// The networks to reconcile; nil for all.
    public var networks: Set<String>?
    /// Put this host's peer keys even where the picture shows them as they should be (a new
    /// lease, or after a reconnect: the keys seen may be the old lease's, about to expire).
    public var republish: Bool

    public init(refreshLocal: Bool, networks: Set<String>?, republish: Bool) {
        self.refreshLocal = refreshLocal
        self.networks = networks
        self.republish = republish
    }

    /// The pass one trigger asks for.
    public init(_ trigger: ReconcileTrigger) {
        switch trigger {
        case .start: self.init(refreshLocal: true, networks: nil, republish: true)
        case .watch(let names): self.init(refreshLocal: false, networks: names, republish: false)
        case .hangup, .timer: self.init(refreshLocal: true, networks: nil, republish: false)
        case .newLease: self.init(refreshLocal: false, networks: nil, republish: true)
        }
    }

    /// Both passes' coverage in one.
    public func merged(with other: ReconcilePass) -> ReconcilePass {
        let networks: Set<String>?
        if let a = self.networks, let b = other.networks { networks = a.union(b) } else { networks = nil }
        return ReconcilePass(refreshLocal: refreshLocal || other.refreshLocal, networks: networks,
                             republish: republish || other.republish)
    }

    /// Whether `network` is covered.
    public func covers(_ network: String) -> Bool { networks?.contains(network) ?? true }
}

/// Triggers noted while a pass runs (or before the next one), merged.
public struct ReconcileSchedule: Sendable, Equatable {
    private var pending: ReconcilePass?
    public init() {}

    public mutating func note(_ trigger: ReconcileTrigger) {
        let pass = ReconcilePass(trigger)
        pending = pending.map { $0.merged(with: pass) } ?? pass
    }

    /// The pass to run now, if any trigger is pending; clears it.
    public mutating func take() -> ReconcilePass? {
        defer { pending = nil }
        return pending
    }

    public var isPending: Bool { pending != nil }
}

/// Exponential backoff between etcd reconnection attempts: 1 s doubling to 30 s, reset by a
/// success.
public struct Backoff: Sendable, Equatable {
    public let initial: Int
    public let maximum: Int
    public private(set) var next: Int

    public init(initial: Int = 1, maximum: Int = 30) {
        self.initial = initial
        self.maximum = maximum
        next = initial
    }

    /// The delay before the next attempt (seconds), and doubles the one after.
    public mutating func delay() -> Int {
        defer { next = min(maximum, next * 2) }
        return next
    }

    public mutating func reset() { next = initial }
}
