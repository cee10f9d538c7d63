/// Lowercase hexadecimal for 64-bit ids, written out by hand: the generic
/// `String(_:radix:)` / `UInt64(_:radix:)` cost a fresh process tens of microseconds of set-up,
/// and every connect makes and reads ids.
public enum Hex {
    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Sixteen lowercase hex digits, zero-padded.
    public static func encode(_ value: UInt64) -> String {
        var out = [UInt8](repeating: 0, count: 16)
        for i in 0..<16 { out[15 - i] = digits[Int((value >> UInt64(4 * i)) & 0xF)] }
        return String(decoding: out, as: UTF8.self)
    }

    /// The value of 1–16 hex digits (either case), or nil. Takes a `String`, not any
    /// `StringProtocol`: an unspecialised generic call costs a fresh process a scan of the
    /// runtime's protocol conformances.
    public static func decode(_ text: String) -> UInt64? {
        var value: UInt64 = 0
        var count = 0
        for c in text.utf8 {
            let d: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
            default: return nil
            }
            count += 1
            if count > 16 { return nil }
            value = value << 4 | UInt64(d)
        }
        return count == 0 ? nil : value
    }
}
