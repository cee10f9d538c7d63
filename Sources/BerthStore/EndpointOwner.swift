/// Which front end made an endpoint. Runtime-facing garbage collection (CNI GC) releases only
/// what its own front end made: a container a user attached by hand is never its business.
public enum EndpointOwner: String, Sendable, Equatable {
    /// `berth network connect` and `berth run`.
    case cli
    /// The CNI plugin (ADD).
    case cni
    /// Podman, through the netavark front end (setup).
    case podman
    /// Recorded before Berth kept the owner (schema version 2 or older): nobody's to collect
    /// but `berth gc`, which releases an endpoint only once its namespace is gone.
    case unknown = ""
}
