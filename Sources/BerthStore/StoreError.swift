/// A failure of the state store. Descriptions are one line and shown to users as is.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// SQLite reported an error; `code` is the extended result code.
    case sqlite(code: Int32, message: String)
    /// A uniqueness or reference constraint refused the write; the message names what clashed
    /// (e.g. "address 10.88.0.5 is already in use on network 'web' by endpoint 0123…").
    case conflict(String)
    /// The database holds something this code cannot read (bad row, unknown schema version).
    case corrupt(String)
    /// The state directory is one Berth must not trust (see `StateDirectoryPolicy`); the
    /// message says why and how to fix it.
    case unsafeStateDirectory(String)

    /// A one-line message suitable for showing to users as is.
    public var description: String {
        switch self {
        case .sqlite(let code, let message): return "state database error \(code): \(message)"
        case .conflict(let message): return message
        case .corrupt(let message): return "state database is corrupt: \(message)"
        case .unsafeStateDirectory(let message): return message
        }
    }
}
