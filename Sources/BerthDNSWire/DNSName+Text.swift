extension DNSName: CustomStringConvertible {
    /// Parses the presentation form (RFC 1035 §5.1): labels separated by dots, an optional
    /// final dot (every name here is absolute), `\X` for a literal character and `\DDD` for a
    /// byte in decimal. `.` alone is the root. Throws for an empty label, a label over 63
    /// bytes, a name over 255 bytes, or a bad escape.
    public init(_ text: some StringProtocol) throws {
        let utf8 = Array(text.utf8)
        guard !utf8.isEmpty else { throw DNSWireError.invalidName(String(text)) }
        if utf8 == [UInt8(ascii: ".")] { self = .root; return }
        var labels: [[UInt8]] = []
        var label: [UInt8] = []
        var i = 0
        var endedWithDot = false
        while i < utf8.count {
            let c = utf8[i]
            endedWithDot = false
            if c == UInt8(ascii: ".") {
                guard !label.isEmpty else { throw DNSWireError.invalidName(String(text)) }
                labels.append(label)
                label = []
                endedWithDot = true
                i += 1
            } else if c == UInt8(ascii: "\\") {
                guard i + 1 < utf8.count else { throw DNSWireError.invalidName(String(text)) }
                if Self.isDigit(utf8[i + 1]) {
                    guard i + 3 < utf8.count, Self.isDigit(utf8[i + 2]), Self.isDigit(utf8[i + 3]) else {
                        throw DNSWireError.invalidName(String(text))
                    }
                    let value = Int(utf8[i + 1] - 48) * 100 + Int(utf8[i + 2] - 48) * 10 + Int(utf8[i + 3] - 48)
                    guard value <= 255 else { throw DNSWireError.invalidName(String(text)) }
                    label.append(UInt8(value))
                    i += 4
                } else {
                    label.append(utf8[i + 1])
                    i += 2
                }
            } else {
                label.append(c)
                i += 1
            }
        }
        if !endedWithDot { labels.append(label) }
        try self.init(labels: labels)
    }

    private static func isDigit(_ c: UInt8) -> Bool { c &- 48 < 10 }

    /// The presentation form with its final dot (`db.berth.internal.`; `.` for the root):
    /// dots and backslashes inside labels are escaped, bytes outside printable ASCII as `\DDD`.
    public var description: String {
        if wire.isEmpty { return "." }
        var text: [UInt8] = []
        text.reserveCapacity(wire.count + 1)
        var i = 0
        while i < wire.count {
            let length = Int(wire[i])
            for c in wire[(i + 1)...(i + length)] {
                switch c {
                case UInt8(ascii: "."), UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "("),
                     UInt8(ascii: ")"), UInt8(ascii: ";"), UInt8(ascii: "@"), UInt8(ascii: "$"):
                    text.append(UInt8(ascii: "\\"))
                    text.append(c)
                case 0x21...0x7E:
                    text.append(c)
                default:
                    text.append(UInt8(ascii: "\\"))
                    text.append(48 + c / 100)
                    text.append(48 + c / 10 % 10)
                    text.append(48 + c % 10)
                }
            }
            text.append(UInt8(ascii: "."))
            i += 1 + length
        }
        return String(decoding: text, as: UTF8.self)
    }
}
