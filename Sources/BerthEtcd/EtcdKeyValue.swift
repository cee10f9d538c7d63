/// The header etcd puts on every response; `revision` is the store's revision when it answered.
public struct EtcdResponseHeader: Sendable, Equatable {
    /// The store's revision (0 when etcd left it out, as on a canceled watch).
    public var revision: Int64
    public init(revision: Int64) { self.revision = revision }
}

/// One key and its value as etcd stores it. Keys and values are text here (Berth keeps JSON in
/// etcd); bytes that are not UTF-8 are replaced with U+FFFD.
public struct EtcdKeyValue: Sendable, Equatable {
    public var key: String
    public var value: String
    /// The revision that created the key (0 in a DELETE event's `kv`).
    public var createRevision: Int64
    /// The revision of the last change.
    public var modRevision: Int64
    /// How many times the key was written since it was created (0: absent).
    public var version: Int64
    /// The lease the key is attached to (0: none).
    public var lease: Int64

    public init(key: String, value: String, createRevision: Int64 = 0, modRevision: Int64 = 0,
                version: Int64 = 0, lease: Int64 = 0) {
        self.key = key
        self.value = value
        self.createRevision = createRevision
        self.modRevision = modRevision
        self.version = version
        self.lease = lease
    }
}

/// The answer to a range (get): the keys found, in key order.
public struct EtcdRangeResponse: Sendable, Equatable {
    public var header: EtcdResponseHeader
    public var kvs: [EtcdKeyValue]
    public init(header: EtcdResponseHeader, kvs: [EtcdKeyValue]) {
        self.header = header
        self.kvs = kvs
    }
}

/// The answer to a delete: how many keys went, and (when asked for) their last values.
public struct EtcdDeleteResponse: Sendable, Equatable {
    public var header: EtcdResponseHeader
    public var deleted: Int64
    public var prevKvs: [EtcdKeyValue]
    public init(header: EtcdResponseHeader, deleted: Int64, prevKvs: [EtcdKeyValue] = []) {
        self.header = header
        self.deleted = deleted
        self.prevKvs = prevKvs
    }
}

/// A granted lease.
public struct EtcdLease: Sendable, Equatable {
    public var id: Int64
    /// The TTL etcd granted, in seconds (etcd raises TTLs below its floor, 2 s here).
    public var ttl: Int64
    public init(id: Int64, ttl: Int64) {
        self.id = id
        self.ttl = ttl
    }
}

/// What is left of a lease.
public struct EtcdLeaseTimeToLive: Sendable, Equatable {
    public var id: Int64
    /// Seconds left.
    public var ttl: Int64
    /// The TTL the lease was granted with.
    public var grantedTTL: Int64
    public init(id: Int64, ttl: Int64, grantedTTL: Int64) {
        self.id = id
        self.ttl = ttl
        self.grantedTTL = grantedTTL
    }
}
