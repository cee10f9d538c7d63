/// The `table.column` names in a SQLite constraint message such as
/// "UNIQUE constraint failed: endpoints.network, endpoints.address". Parsed rather than
/// substring-matched so `endpoints.ifname` is not mistaken for `endpoints.host_ifname`.
struct ConflictColumns {
    private let names: Set<Substring>

    init(_ message: String) {
        // Everything after the first ": " is the column list (absent for FOREIGN KEY failures).
        guard let colon = message.firstIndex(of: ":") else { names = []; return }
        names = Set(message[message.index(after: colon)...].split(separator: ",")
            .map { $0.drop(while: { $0 == " " }) })
    }

    /// True when `column` (as `table.column`) is among the clashing columns.
    func contains(_ column: String) -> Bool { names.contains(Substring(column)) }
}
