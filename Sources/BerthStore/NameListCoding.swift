import BerthAddress

/// Comma-separated lists in one text column: a network's upstream name servers, an endpoint's
/// aliases. Neither DNS names nor addresses contain a comma, and `''` is the empty list, so the
/// column needs no quoting and no JSON parser on the name server's load path.
enum NameListCoding {
    /// `["a", "b"]` → `"a,b"`; `[]` → `""`.
    static func encode(_ items: [String]) -> String { items.joined(separator: ",") }

    /// `"a,b"` → `["a", "b"]`; `""` → `[]`.
    static func decode(_ text: String) -> [String] {
        text.split(separator: ",", omittingEmptySubsequences: true).map(String.init)
    }
}

extension SQLRow {
    /// A comma-separated list of addresses (IPv4 dotted, IPv6 RFC 5952).
    func addressList(_ column: Int32, _ what: @autoclosure () -> String) throws -> [IPAddress] {
        try NameListCoding.decode(text(column)).map { item in
            guard let address = IPAddress(item) else { throw StoreError.corrupt("\(what()): bad name server address '\(item)'") }
            return address
        }
    }
}
