/// Packets built by hand from RFC 1035 §4.1 and RFC 6891 §6.1, shared by the tests.
enum Packets {
    /// Bytes from hex, with spaces and `'text'` runs allowed for readability.
    static func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var inText = false
        var pending: UInt8?
        for c in text.utf8 {
            if c == UInt8(ascii: "'") { inText.toggle(); continue }
            if inText { bytes.append(c); continue }
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - 48
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c - 87
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = c - 55
            default: continue
            }
            if let high = pending { bytes.append(high << 4 | v); pending = nil } else { pending = v }
        }
        precondition(pending == nil, "odd hex digits")
        return bytes
    }

    /// `dig example.com A` without EDNS: id 0x1234, RD.
    static let query = hex("1234 0100 0001 0000 0000 0000  07'example'03'com'00  0001 0001")

    /// Its answer, the owner a pointer to the question: 93.184.216.34, TTL 3600.
    static let answer = hex("""
        1234 8180 0001 0001 0000 0000  07'example'03'com'00 0001 0001
        c00c 0001 0001 00000e10 0004 5db8d822
        """)

    /// `www.example.com A` → CNAME example.com (a pointer into the question) → A.
    static let cnameChain = hex("""
        beef 8180 0001 0002 0000 0000  03'www'07'example'03'com'00 0001 0001
        c00c 0005 0001 0000003c 0002 c010
        c010 0001 0001 0000003c 0004 0a000001
        """)

    /// `example.com A` with EDNS: payload 4096, DO set, one option (cookie, 8 bytes).
    static let ednsQuery = hex("""
        0001 0100 0001 0000 0000 0001  07'example'03'com'00 0001 0001
        00 0029 1000 00008000 000c 000a 0008 0102030405060708
        """)
}
