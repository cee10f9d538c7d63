/// What the netavark front end calls for `teardown` (docs/podman.md, "Semantics").
extension Engine {
    /// Detaches the container from every network of `teardown`, then removes each
    /// Podman-owned network left without endpoints (its bridge, rules, record and name
    /// service). Idempotent: a network or endpoint Berth does not know, or a namespace that is
    /// gone, is not an error. Every network is tried; the first failure is rethrown at the end.
    /// Under the Podman lock, so a setup that follows finds each network whole or gone.
    public func podmanTeardown(_ teardown: PodmanTeardown) throws {
        try requirePrivileges()
        let podman = try lockPodman()
        defer { withExtendedLifetime(podman) {} }
        var failure: (any Error)?
        var names: [String] = []
        for n in teardown.networks {
            if !names.contains(n.spec.name) { names.append(n.spec.name) }
            do {
                try detach(network: n.spec.name, containerID: teardown.containerID, ifname: n.ifname)
            } catch {
                if failure == nil { failure = error }
            }
        }
        let lock = try beginOperation()
        let signals = TeardownSignals.block()
        defer { signals.restore(); withExtendedLifetime(lock) {} }
        for name in names {
            do {
                try removeIdlePodmanNetwork(name, handingDeletionTo: lock)
            } catch {
                if failure == nil { failure = error }
            }
        }
        if let failure { throw failure }
    }
}
