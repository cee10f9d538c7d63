/// A dictionary split into a fixed number of smaller ones by the key's hash, so that a changed
/// copy of a snapshot copies one shard (n/64 entries) and 64 references rather than every entry:
/// `updating(endpoint:)` stays cheap with thousands of names, while a lookup costs one more hash.
struct ShardedDictionary<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private static var shardCount: Int { 64 }
    /// Empty dictionaries share one static storage: an empty shard costs no allocation.
    private var shards = [[Key: Value]](repeating: [:], count: shardCount)

    init() {}

    @inline(__always)
    private static func shard(_ key: Key) -> Int { Int(UInt(bitPattern: key.hashValue) % UInt(shardCount)) }

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
