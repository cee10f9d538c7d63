/// Lifecycle of an endpoint row. Rows are written as `creating` before any kernel object exists
/// and flipped to `active` once everything is in place, so a crash mid-connect leaves a row that
/// says exactly which endpoints may have half-built plumbing to clean up.
public enum EndpointState: String, Sendable, CaseIterable {
    /// Allocated in the store; kernel objects may be partially created.
    case creating
    /// Fully set up.
    case active
    /// Teardown has started; kernel objects may be partially gone.
    case removing
}
