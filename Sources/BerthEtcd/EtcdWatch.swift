/// One change seen by a watch.
public struct EtcdWatchEvent: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable { case put = "PUT", delete = "DELETE" }
    public var kind: Kind
    /// The key after the change (for a DELETE: the key and the deleting revision only).
    public var kv: EtcdKeyValue
    /// The key before the change, when the watch asked for it and there was one.
    public var prevKV: EtcdKeyValue?
    public init(kind: Kind, kv: EtcdKeyValue, prevKV: EtcdKeyValue? = nil) {
        self.kind = kind
        self.kv = kv
        self.prevKV = prevKV
    }
}

/// One message of a watch stream. The first has `created == true`; later ones carry events.
/// Advance your revision to `header.revision` after every message.
public struct EtcdWatchResponse: Sendable, Equatable {
    public var header: EtcdResponseHeader
    public var created: Bool
    public var canceled: Bool
    /// Set when etcd canceled the watch because its start revision was compacted.
    public var compactRevision: Int64
    public var cancelReason: String
    public var events: [EtcdWatchEvent]
    public init(header: EtcdResponseHeader, created: Bool = false, canceled: Bool = false,
                compactRevision: Int64 = 0, cancelReason: String = "", events: [EtcdWatchEvent] = []) {
        self.header = header
        self.created = created
        self.canceled = canceled
        self.compactRevision = compactRevision
        self.cancelReason = cancelReason
        self.events = events
    }
}
