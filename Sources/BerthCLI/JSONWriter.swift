import BerthJSON

/// A JSON value for the CLI's output (the views in JSONOutput.swift build them), written by
/// ``BerthJSON/JSONWriter`` instead of JSONEncoder: Codable encoding instantiates much generic
/// machinery on first use, which costs every short-lived `berth` process more than a whole
/// netlink attach. Keys keep the order they are given in.
enum JSONValue {
    case string(String)
    case int(Int64)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([(String, JSONValue)])

    /// `.string`, or `.null` for nil.
    static func optional(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }

    /// Pretty-printed text with two-space indentation (``JSONWriter/Style/pretty``).
    func rendered() -> String {
        let w = JSONWriter(style: .pretty)
        write(to: w)
        return w.text
    }

    /// Writes the value with `w`.
    func write(to w: JSONWriter) {
        switch self {
        case .string(let s): w.string(s)
        case .int(let i): w.int(i)
        case .bool(let b): w.bool(b)
        case .null: w.null()
        case .array(let items):
            w.array { for item in items { item.write(to: w) } }
        case .object(let members):
            w.object {
                for (key, value) in members {
                    w.key(key)
                    value.write(to: w)
                }
            }
        }
    }
}

/// Prints a JSON value followed by a newline (see ``TextOutput`` for why not `print`).
func printJSON(_ value: JSONValue) {
    TextOutput.writeAll(value.rendered() + "\n")
}
