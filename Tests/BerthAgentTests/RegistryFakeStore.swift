import BerthEtcd
@testable import BerthAgent

/// An in-memory etcd with etcd's semantics for what the registry uses: revisions, versions,
/// atomic transactions (compares on version, value, create/mod revision, lease), prefix ranges
/// and deletes, leases. Faults can be injected to play out races and lost answers.
actor RegistryFakeStore: OverlayKeyValueStore {
    struct Entry { var value: String; var create: Int64; var mod: Int64; var version: Int64; var lease: Int64 }
    private(set) var data: [String: Entry] = [:]
    private(set) var revision: Int64 = 1
    private var leases: [Int64: Int64] = [:]
    private(set) var txnCount = 0
    /// Runs before each txn is applied (its number, counting from 1): lets a test slip another
    /// host's write in between a read and a txn.
    var beforeTxn: (@Sendable (Int, RegistryFakeStore) async -> Void)? = nil
    /// Txn numbers that are applied but answered with a timeout (the outcome-unknown case).
    var timeOutTxns: Set<Int> = []
    /// Txn numbers that time out without being applied.
    var dropTxns: Set<Int> = []

    func setBeforeTxn(_ hook: (@Sendable (Int, RegistryFakeStore) async -> Void)?) { beforeTxn = hook }
    func setTimeOut(_ numbers: Set<Int>) { timeOutTxns = numbers }
    func setDrop(_ numbers: Set<Int>) { dropTxns = numbers }

    func grant(ttl: Int64) -> Int64 {
        let id = Int64(leases.count + 1000)
        leases[id] = ttl
        return id
    }

    /// Expires a lease: its keys go, as etcd does after the TTL.
    func expire(lease: Int64) {
        leases[lease] = nil
        for (k, e) in data where e.lease == lease { data[k] = nil }
        revision += 1
    }

    func set(_ key: String, _ value: String, lease: Int64 = 0) { apply(.put(key: key, value: value, lease: lease)) }
    func value(_ key: String) -> String? { data[key]?.value }
    var keys: [String] { data.keys.sorted() }

    private func matching(_ key: String, _ prefix: Bool) -> [String] {
        data.keys.filter { prefix ? $0.hasPrefix(key) : $0 == key }.sorted()
    }

    private func kv(_ k: String) -> EtcdKeyValue {
        let e = data[k]!
        return EtcdKeyValue(key: k, value: e.value, createRevision: e.create, modRevision: e.mod, version: e.version, lease: e.lease)
    }

    func range(key: String, prefix: Bool) async throws -> EtcdRangeResponse {
        EtcdRangeResponse(header: EtcdResponseHeader(revision: revision), kvs: matching(key, prefix).map(kv))
    }

    func deleteRange(key: String, prefix: Bool) async throws -> EtcdDeleteResponse {
        guard case .deleteRange(let d) = apply(.deleteRange(key: key, prefix: prefix)) else { fatalError() }
        return d
    }

    func leaseTimeToLive(id: Int64) async throws -> EtcdLeaseTimeToLive {
        guard let ttl = leases[id] else { throw EtcdError.leaseNotFound }
        return EtcdLeaseTimeToLive(id: id, ttl: ttl, grantedTTL: ttl)
    }

    func txn(compare: [EtcdCompare], success: [EtcdOperation], failure: [EtcdOperation]) async throws -> EtcdTxnResponse {
        txnCount += 1
        let number = txnCount
        if let hook = beforeTxn { await hook(number, self) }
        if dropTxns.contains(number) { throw EtcdError.timeout }
        let ok = compare.allSatisfy(holds)
        let responses = (ok ? success : failure).map(apply)
        if timeOutTxns.contains(number) { throw EtcdError.timeout }
        return EtcdTxnResponse(header: EtcdResponseHeader(revision: revision), succeeded: ok, responses: responses)
    }

    private func holds(_ c: EtcdCompare) -> Bool {
        let e = data[c.key]
        func cmp<T: Comparable>(_ a: T, _ b: T) -> Bool {
            switch c.result {
            case .equal: return a == b
            case .notEqual: return a != b
            case .greater: return a > b
            case .less: return a < b
            }
        }
        switch c.target {
        case .version(let v): return cmp(e?.version ?? 0, v)
        case .value(let v): guard let e else { return false }; return cmp(e.value, v)
        case .createRevision(let v): return cmp(e?.create ?? 0, v)
        case .modRevision(let v): return cmp(e?.mod ?? 0, v)
        case .lease(let v): return cmp(e?.lease ?? 0, v)
        }
    }

    @discardableResult
    private func apply(_ op: EtcdOperation) -> EtcdOperationResponse {
        switch op {
        case .put(let key, let value, let lease):
            revision += 1
            let old = data[key]
            data[key] = Entry(value: value, create: old?.create ?? revision, mod: revision, version: (old?.version ?? 0) + 1, lease: lease)
            return .put(EtcdResponseHeader(revision: revision))
        case .range(let key, let prefix):
            return .range(EtcdRangeResponse(header: EtcdResponseHeader(revision: revision), kvs: matching(key, prefix).map(kv)))
        case .deleteRange(let key, let prefix):
            let gone = matching(key, prefix)
            if !gone.isEmpty { revision += 1 }
            let prev = gone.map(kv)
            for k in gone { data[k] = nil }
            return .deleteRange(EtcdDeleteResponse(header: EtcdResponseHeader(revision: revision), deleted: Int64(gone.count), prevKvs: prev))
        }
    }
}
