/// What went wrong talking to etcd, each with a one-line description a command can print.
public enum EtcdError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No endpoint could be reached (connection refused, TLS handshake failed, …); nothing was
    /// sent. `reason` names what failed at each endpoint.
    case unreachable(endpoints: [String], reason: String)
    /// etcd answered with an error: HTTP status, gRPC code (3 invalid argument, 5 not found,
    /// 11 out of range/compacted, 0 if none) and its message.
    case http(status: Int, code: Int, message: String)
    /// A watch started from a revision etcd has compacted away: re-list, then watch from the
    /// list's revision. `revision` is etcd's compact revision.
    case compacted(revision: Int64)
    /// The lease does not exist (expired or revoked).
    case leaseNotFound
    /// The request was sent but no answer came in time, or the connection dropped before it:
    /// for a write (put, txn, delete) the outcome is unknown — re-read before acting on it.
    case timeout
    /// etcd's answer could not be read.
    case malformed(reason: String)

    public var description: String {
        switch self {
        case .unreachable(let endpoints, let reason):
            return "etcd unreachable at \(endpoints.joined(separator: ",")): \(reason)"
        case .http(let status, let code, let message):
            return "etcd refused the request (HTTP \(status), code \(code)): \(message)"
        case .compacted(let revision):
            return "etcd has compacted the history up to revision \(revision)"
        case .leaseNotFound:
            return "etcd lease not found (expired or revoked)"
        case .timeout:
            return "etcd did not answer in time (the outcome of a write is unknown)"
        case .malformed(let reason):
            return "unreadable answer from etcd: \(reason)"
        }
    }
}
