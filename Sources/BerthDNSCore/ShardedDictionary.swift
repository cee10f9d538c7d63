import BerthAddress

/// A key that picks its shard cheaply: a lookup on the query path should not hash the key twice
/// (once for the shard, once in the shard's dictionary).
protocol ShardKey: Hashable, Sendable {
    /// Any number, spread over the keys; the shard is this modulo the shard count.
    var shard: Int { get }
}

/// A dictionary split into a fixed number of smaller ones by the key's shard, so that a changed
/// copy of a snapshot copies one shard (n/64 entries) and 64 references rather than every entry:
/// `updating(endpoint:)` stays cheap with thousands of names.
struct ShardedDictionary<Key: ShardKey, Value: Sendable>: Sendable {
    private static var shardCount: Int { 64 }
    /// Empty dictionaries share one static storage: an empty shard costs no allocation.
    private var shards = [[Key: Value]](repeating: [:], count: shardCount)

    init() {}

    @inline(__always)
    private static func shard(_ key: Key) -> Int { Int(UInt(bitPattern: key.shard) % UInt(shardCount)) }

    subscript(key: Key) -> Value? {
        get { shards[Self.shard(key)][key] }
        set { shards[Self.shard(key)][key] = newValue }
    }

    /// Removes and returns the value of `key`.
    @discardableResult
    mutating func removeValue(forKey key: Key) -> Value? { shards[Self.shard(key)].removeValue(forKey: key) }

    /// The number of entries (a walk over the shards).
    var count: Int { shards.reduce(0) { $0 + $1.count } }

    /// Every entry, shard by shard (no order).
    var entries: some Sequence<(key: Key, value: Value)> { shards.lazy.flatMap { $0 } }
}

extension IPAddress: ShardKey {
    /// The low bits: the addresses of a subnet differ there.
    var shard: Int {
        switch self {
        case .v4(let a): Int(a.value)
        case .v6(let a): Int(truncatingIfNeeded: a.low)
        }
    }
}

extension DNSContainerKey: ShardKey {
    var shard: Int { Int(truncatingIfNeeded: inode ^ device) }
}

extension String: ShardKey {
    /// Endpoint ids, looked up only when a snapshot changes: the ordinary hash will do.
    var shard: Int { hashValue }
}
