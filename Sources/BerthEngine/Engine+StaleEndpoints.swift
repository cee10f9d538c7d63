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
    /// - An `active` record whose host veth a detach had already retired (the detach died
    ///   before it released the record): the container's interface is gone from its name, so
    ///   the record is finished here as `berth gc` would.
    func isStale(_ record: EndpointRecord, namespace: NetworkNamespace) throws -> Bool {
        if record.netnsCookie != 0, try translating({ try record.netnsCookie != namespace.cookie() }) { return true }
        guard record.state == .active else { return false }
        // A session of its own: this may run on the attach's second thread, and the host
        // session belongs to the first.
        return try translating {
            guard let veth = try RouteSession().link(name: record.hostIfname) else { return record.netnsCookie == 0 }
            return Engine.isRetiredGroup(veth.group)
        }
    }

    /// Releases a stale record: its published ports (map elements included, so they cannot
    /// forward to whoever gets the address next) and its lease. Its veth died with its namespace,
    /// or was retired by a detach that died (then it goes now); should one survive, `berth gc`
    /// deletes it as a veth no endpoint owns.
    func releaseStale(_ record: EndpointRecord) throws {
        try translating {
            try store.transaction {
                try withdrawPorts([record])
                try store.deleteEndpoint(id: record.id)
            }
            if let veth = try? RouteSession().link(name: record.hostIfname), Engine.isRetiredGroup(veth.group) {
                _ = try? RouteSession().deleteLink(name: record.hostIfname)
            }
        }
    }
}
