import BerthAddress
import BerthEtcd

/// The overlay networks' shared state in etcd (docs/overlay.md): definitions, block
/// reservations and live peers, over any ``OverlayKeyValueStore``.
///
/// Every write that must not clobber another host's is a transaction comparing what it read;
/// nothing here keeps state between calls, so a registry is cheap to make per command.
public struct OverlayRegistry: Sendable {
    public let store: any OverlayKeyValueStore
    public let keys: OverlayKeys

    public init(store: any OverlayKeyValueStore, keys: OverlayKeys) {
        self.store = store
        self.keys = keys
    }

    /// The definition of `network`, or nil when etcd has none.
    public func config(network: String) async throws -> OverlayConfig? {
        try OverlayKeys.validate(network: network)
        let key = keys.config(network)
        guard let kv = try await store.range(key: key, prefix: false).kvs.first else { return nil }
        return try decode(key) { try OverlayConfig(json: kv.value) }
    }

    func decode<T>(_ key: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch { throw OverlayRegistryError.corrupt(key: key, reason: "\(error)") }
    }
}
