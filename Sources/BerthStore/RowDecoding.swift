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

extension SQLValue {
    /// An address as its integer value.
    static func address(_ a: IPv4Address) -> SQLValue { .int(Int64(a.value)) }
    /// A boolean as 0 or 1.
    static func bool(_ b: Bool) -> SQLValue { .int(b ? 1 : 0) }
    /// An unsigned 64-bit value (st_dev, st_ino) by bit pattern, since SQLite integers are signed.
    static func uint64(_ v: UInt64) -> SQLValue { .int(Int64(bitPattern: v)) }
}
