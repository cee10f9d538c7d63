import BerthNetlink
import BerthStore

/// Records of containers that died without a disconnect (a runtime crash, a killed conmon, a
/// `ctr task rm`). The kernel gives a dead namespace's inode to the next namespace at once, so
/// such a record can look like the next container's; its cookie tells them apart. Wherever one
/// is met (connect, disconnect) it is released, and the command proceeds.
extension Engine {
    /// True when `record` — found under `namespace`'s (device, inode) — belongs to a namespace
    /// that no longer exists.
    /// - A recorded cookie other than the namespace's: another namespace, now gone.
    /// - No cookie (an endpoint from before Berth recorded it): gone when its host veth is,
    ///   which the kernel deletes with the namespace. Only for `active` records: one still
    ///   `creating` or `removing` may be another command's work in progress (`berth gc` rolls
    ///   back crashed ones).
    func isStale(_ record: EndpointRecord, namespace: NetworkNamespace) throws -> Bool {
        if record.netnsCookie != 0 {
            return try translating { try record.netnsCookie != namespace.cookie() }
        }
        guard record.state == .active else { return false }
        // A session of its own: this may run on the attach's second thread, and the host
        // session belongs to the first.
        return try translating { try RouteSession().linkIndex(name: record.hostIfname) == nil }
    }

    /// Releases a stale record: its published ports (map elements included, so they cannot
    /// forward to whoever gets the address next) and its lease. Its veth died with its namespace;
    /// should one survive, `berth gc` deletes it as a veth no endpoint owns.
    func releaseStale(_ record: EndpointRecord) throws {
        try translating {
            try store.transaction {
                try withdrawPorts([record])
                try store.deleteEndpoint(id: record.id)
            }
        }
    }
}
