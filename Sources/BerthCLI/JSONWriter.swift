import BerthJSON

/// A JSON value for the CLI's output, written by hand instead of through JSONEncoder: Codable
/// encoding instantiates much generic machinery on first use, which costs every short-lived
/// `berth` process more than a whole netlink attach. Keys keep the order they are given in.
enum JSONValue {
    case string(String)
    case int(Int64)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([(String, JSONValue)])

    /// `.string`, or `.null` for nil.
    static func optional(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }

    /// Pretty-printed text with two-space indentation.
    func rendered() -> String {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        write(into: &out, indent: 0)
        return String(decoding: out, as: UTF8.self)
    }

    private func write(into out: inout [UInt8], indent: Int) {
        switch self {
        case .string(let s): JSONValue.writeString(s, into: &out)
        case .int(let i): out += Array(String(i).utf8)
        case .bool(let b): out += Array((b ? "true" : "false").utf8)
        case .null: out += Array("null".utf8)
        case .array(let items):
            if items.isEmpty { out += [UInt8(ascii: "["), UInt8(ascii: "]")]; return }
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                out += i == 0 ? [10] : [UInt8(ascii: ","), 10]
                JSONValue.pad(&out, indent + 2)
                item.write(into: &out, indent: indent + 2)
            }
            out.append(10); JSONValue.pad(&out, indent); out.append(UInt8(ascii: "]"))
        case .object(let members):
            if members.isEmpty { out += [UInt8(ascii: "{"), UInt8(ascii: "}")]; return }
            out.append(UInt8(ascii: "{"))
            for (i, (key, value)) in members.enumerated() {
                out += i == 0 ? [10] : [UInt8(ascii: ","), 10]
                JSONValue.pad(&out, indent + 2)
                JSONValue.writeString(key, into: &out)
                out += [UInt8(ascii: ":"), UInt8(ascii: " ")]
                value.write(into: &out, indent: indent + 2)
            }
            out.append(10); JSONValue.pad(&out, indent); out.append(UInt8(ascii: "}"))
        }
    }

    private static func pad(_ out: inout [UInt8], _ n: Int) {
        for _ in 0..<n { out.append(UInt8(ascii: " ")) }
    }

    /// Writes a JSON string literal (see ``JSONString``).
    static func writeString(_ s: String, into out: inout [UInt8]) {
        JSONString.append(s, to: &out)
    }
}

/// Prints a JSON value followed by a newline (see ``TextOutput`` for why not `print`).
func printJSON(_ value: JSONValue) {
    TextOutput.writeAll(value.rendered() + "\n")
}
