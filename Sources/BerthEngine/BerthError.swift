/// An error a user can act on. Its description is one line, shown after `Error: `.
public enum BerthError: Error, CustomStringConvertible, Sendable {
    /// Malformed or contradictory input; nothing was changed.
    case invalidArgument(String)
    /// A named object does not exist.
    case notFound(String)
    /// The request clashes with existing state (in use, taken, overlapping).
    case conflict(String)
    /// A runtime's container already has the interface on the network; `details` names the
    /// endpoint that has it.
    case alreadyAttached(String, details: String)
    /// A network definition clashes with the network of that name, or with the host (a
    /// runtime's configuration, which its user has to change).
    case configuration(String)
    /// The container's namespace cannot be used: not a network namespace, or gone.
    case target(String)
    /// A setting from the environment (`BERTH_POOLS`) is malformed.
    case environment(String)
    /// The state directory or its store cannot be used (unreadable, unsafe, damaged).
    case state(String)
    /// The caller lacks the privileges Berth needs.
    case permissionDenied(String)
    /// The kernel or the store failed underneath.
    case system(String)

    public var description: String {
        switch self {
        case .invalidArgument(let m), .notFound(let m), .conflict(let m), .configuration(let m),
             .target(let m), .environment(let m), .state(let m), .permissionDenied(let m), .system(let m):
            return m
        case .alreadyAttached(let m, let details):
            return m + ": " + details
        }
    }
}
