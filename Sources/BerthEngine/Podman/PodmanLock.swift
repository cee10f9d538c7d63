import BerthStore

extension Engine {
    /// Serializes Podman's calls (`setup`, `teardown`) with each other: an exclusive `flock`
    /// on `DIR/podman.lock`, held for the whole call. Berth's operation lock is shared by every
    /// command (only `berth gc` takes it alone), so it cannot keep a teardown that removes a
    /// network's last endpoint, and then the network, from interleaving with a setup that joins
    /// it: under this lock a setup sees the network either whole or gone. Taken before the
    /// operation lock (``beginOperation()``), never while holding it, so it cannot deadlock with
    /// `berth gc`; the detached child a detach leaves closes its copy of this descriptor.
    func lockPodman() throws -> OperationLock {
        _ = try lockOperations(.shared)   // the state directory's checks (and creation) first
        return try translating { try OperationLock(directory: settings.stateDirectory, mode: .exclusive, file: "podman.lock") }
    }
}
