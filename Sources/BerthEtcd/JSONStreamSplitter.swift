/// Cuts a stream of concatenated JSON objects (the watch and keepalive streams: objects one
/// after another, usually newline-separated) into whole objects, whatever the reads' sizes.
///
/// Incremental: the scan state (depth, inside a string, after a backslash) survives between
/// reads, so each byte is looked at once however the stream is split.
struct JSONStreamSplitter: Sendable {
    private var buffer: [UInt8] = []
    private var scanned = 0
    private var start: Int? = nil
    private var depth = 0
    private var inString = false
    private var escaped = false
    /// The largest object accepted, so a broken peer cannot grow the buffer without bound.
    static let maximumObject = 64 << 20

    /// Adds `bytes` and returns every object they complete, in order.
    mutating func append(_ bytes: some Sequence<UInt8>) throws -> [[UInt8]] {
        buffer.append(contentsOf: bytes)
        var out: [[UInt8]] = []
        while scanned < buffer.count {
            let b = buffer[scanned]
            if start == nil {
                switch b {
                case 0x20, 0x0A, 0x0D, 0x09: break
                case UInt8(ascii: "{"): start = scanned; depth = 1
                default: throw EtcdError.malformed(reason: "unexpected byte \(b) between streamed objects")
                }
            } else if inString {
                if escaped { escaped = false } else if b == UInt8(ascii: "\\") { escaped = true } else if b == UInt8(ascii: "\"") { inString = false }
            } else {
                switch b {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0, let s = start {
                        out.append(Array(buffer[s...scanned]))
                        start = nil
                    }
                default: break
                }
            }
            scanned += 1
        }
        // Drop what has been consumed, keeping an unfinished object.
        let keep = start ?? scanned
        if keep > 0 {
            buffer.removeFirst(keep)
            scanned -= keep
            if start != nil { start = 0 }
        }
        if buffer.count > JSONStreamSplitter.maximumObject { throw EtcdError.malformed(reason: "streamed object too large") }
        return out
    }

    /// Whether an object has started and not finished.
    var hasPartialObject: Bool { start != nil }
}
