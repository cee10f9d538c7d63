import BerthEtcd

/// The few etcd operations the overlay registry needs. ``EtcdClient`` provides them; tests use
/// an in-memory store with the same transaction semantics.
public protocol OverlayKeyValueStore: Sendable {
    /// The value of `key`, or with `prefix` every key starting with `key`, in key order.
    func range(key: String, prefix: Bool) async throws -> EtcdRangeResponse
    /// Runs `success` if every condition holds, else `failure`, atomically.
    func txn(compare: [EtcdCompare], success: [EtcdOperation], failure: [EtcdOperation]) async throws -> EtcdTxnResponse
    /// Deletes `key`, or with `prefix` every key starting with `key`.
    func deleteRange(key: String, prefix: Bool) async throws -> EtcdDeleteResponse
    /// What is left of a lease (throws ``EtcdError/leaseNotFound`` when it is gone).
    func leaseTimeToLive(id: Int64) async throws -> EtcdLeaseTimeToLive
}

extension EtcdClient: OverlayKeyValueStore {}
