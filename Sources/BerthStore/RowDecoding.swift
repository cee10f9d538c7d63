import BerthAddress

/// Typed, validated column readers: a row that does not decode is reported as corruption
/// (naming the table and key) rather than trapping.
extension SQLRow {
    /// The column as an IPv4 address stored as an integer.
    func address(_ column: Int32, _ what: @autoclosure () -> String) throws -> IPv4Address {
        let value = int(column)
        guard let v = UInt32(exactly: value) else { throw StoreError.corrupt("\(what()): address \(value) out of range") }
        return IPv4Address(v)
    }

    /// A subnet stored as (address, prefix) integer columns.
    func subnet(_ addressColumn: Int32, _ prefixColumn: Int32, _ what: @autoclosure () -> String) throws -> IPv4Subnet {
        let address = try self.address(addressColumn, what())
        let prefix = int(prefixColumn)
        guard (0...32).contains(prefix) else { throw StoreError.corrupt("\(what()): prefix length \(prefix) out of range") }
        return IPv4Subnet(address: address, prefixLength: Int(prefix))
    }
}

extension SQLRow {
    /// An optional IPv4 address column (NULL: none).
    func optionalAddress(_ column: Int32, _ what: @autoclosure () -> String) throws -> IPv4Address? {
        isNull(column) ? nil : try address(column, what())
    }

    /// An optional IPv6 address stored as its text (NULL: none).
    func address6(_ column: Int32, _ what: @autoclosure () -> String) throws -> IPv6Address? {
        if isNull(column) { return nil }
        let text = self.text(column)
        guard let a = IPv6Address(text) else { throw StoreError.corrupt("\(what()): bad IPv6 address '\(text)'") }
        return a
    }

    /// An optional IPv6 subnet stored as its text (NULL: none).
    func subnet6(_ column: Int32, _ what: @autoclosure () -> String) throws -> IPv6Subnet? {
        if isNull(column) { return nil }
        let text = self.text(column)
        guard let s = IPv6Subnet(text) else { throw StoreError.corrupt("\(what()): bad IPv6 subnet '\(text)'") }
        return s
    }
}

extension SQLValue {
    /// Any value as its text, or NULL.
    static func optionalText(_ value: (some CustomStringConvertible)?) -> SQLValue {
        value.map { .text($0.description) } ?? .null
    }
    /// An address as its integer value.
    static func address(_ a: IPv4Address) -> SQLValue { .int(Int64(a.value)) }
    /// A boolean as 0 or 1.
    static func bool(_ b: Bool) -> SQLValue { .int(b ? 1 : 0) }
    /// An unsigned 64-bit value (st_dev, st_ino) by bit pattern, since SQLite integers are signed.
    static func uint64(_ v: UInt64) -> SQLValue { .int(Int64(bitPattern: v)) }
}
