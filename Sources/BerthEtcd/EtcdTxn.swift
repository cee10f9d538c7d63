/// One condition of a transaction: `target` of `key` compared with a value.
public struct EtcdCompare: Sendable, Equatable {
    /// How the key's field compares with the given value.
    public enum Result: String, Sendable, Equatable {
        case equal = "EQUAL", notEqual = "NOT_EQUAL", greater = "GREATER", less = "LESS"
    }
    /// The field compared, with the value to compare it with.
    public enum Target: Sendable, Equatable {
        /// The key's version (0: the key does not exist).
        case version(Int64)
        /// The key's value.
        case value(String)
        case createRevision(Int64)
        case modRevision(Int64)
        /// The key's lease id (0: none).
        case lease(Int64)
    }

    public var key: String
    public var result: Result
    public var target: Target

    public init(key: String, _ result: Result, _ target: Target) {
        self.key = key
        self.result = result
        self.target = target
    }

    /// True when `key` does not exist: `Version(key) == 0`.
    public static func absent(_ key: String) -> EtcdCompare { EtcdCompare(key: key, .equal, .version(0)) }
    /// True when `key` holds exactly `value`.
    public static func valueEquals(_ key: String, _ value: String) -> EtcdCompare {
        EtcdCompare(key: key, .equal, .value(value))
    }
}

/// One operation in a transaction's success or failure branch.
public enum EtcdOperation: Sendable, Equatable {
    case put(key: String, value: String, lease: Int64 = 0)
    case range(key: String, prefix: Bool = false)
    case deleteRange(key: String, prefix: Bool = false)
}

/// The result of one operation of the branch that ran.
public enum EtcdOperationResponse: Sendable, Equatable {
    case put(EtcdResponseHeader)
    case range(EtcdRangeResponse)
    case deleteRange(EtcdDeleteResponse)
}

/// The answer to a transaction: whether the conditions held (the success branch ran) and what
/// each operation of the branch that ran returned.
public struct EtcdTxnResponse: Sendable, Equatable {
    public var header: EtcdResponseHeader
    public var succeeded: Bool
    public var responses: [EtcdOperationResponse]
    public init(header: EtcdResponseHeader, succeeded: Bool, responses: [EtcdOperationResponse]) {
        self.header = header
        self.succeeded = succeeded
        self.responses = responses
    }
}
