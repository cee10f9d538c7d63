/// The one way Berth writes JSON: CNI results and errors, the CLI's `--format json` output and
/// the labels it stores.
///
/// A streaming writer: values go out in the order they are written, so keys keep the order the
/// caller gives (the order runtimes and the reference CNI plugins use), and the output is
/// predictable byte for byte. Built for a process that prints one small document and exits: no
/// Foundation, no dictionaries, no generic code that needs type metadata made at run time — the
/// text grows in one byte array.
///
/// Two layouts:
/// - ``Style/compact``: no white space at all (`{"a":[1,2],"b":{}}`), for CNI and storage;
/// - ``Style/pretty``: one member or element per line, indented by two spaces, `": "` after
///   keys, empty containers as `[]` and `{}` — the CLI's layout.
///
/// Strings are escaped as RFC 8259 requires and no further: `"` and `\` with a backslash, `\n`,
/// `\r` and `\t` by name, other control characters as `\u00XX`; all other text (UTF-8, `/`
/// included) is written as it is.
///
/// ```swift
/// let w = JSONWriter()
/// w.object {
///     w.field("cniVersion", "1.1.0")
///     w.array("ips") { w.object { w.field("address", "10.0.0.2/24") } }
///     w.key("dns"); w.object {}
/// }
/// w.text   // {"cniVersion":"1.1.0","ips":[{"address":"10.0.0.2/24"}],"dns":{}}
/// ```
///
/// In an object, each value follows a ``key(_:)`` (or comes with its key, through the `field`,
/// `object(_:_:)` and `array(_:_:)` forms); in an array, values follow one another. Commas,
/// colons, line breaks and indentation are the writer's business. The writer does not check
/// that the calls make a well-formed document: callers are code, not input.
public final class JSONWriter {
    /// How the document is laid out.
    public enum Style: Sendable {
        /// No white space.
        case compact
        /// One member or element per line, two spaces of indentation per level.
        case pretty
    }

    /// The layout this writer uses.
    public let style: Style
    /// The document so far, UTF-8.
    public private(set) var bytes: [UInt8] = []
    /// How many objects and arrays are open.
    private var depth = 0
    /// Whether the innermost open container already has a member or element (so the next one
    /// needs a comma, and its closing bracket a line of its own when pretty).
    private var hasMembers = false
    /// Whether a key was just written (its value follows without separator).
    private var afterKey = false

    /// An empty writer; `capacity` bytes are reserved up front.
    public init(style: Style = .compact, capacity: Int = 512) {
        self.style = style
        bytes.reserveCapacity(capacity)
    }

    /// The document so far.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    // MARK: Containers

    /// Opens an object: the value of the preceding key, an element, or the document itself.
    public func beginObject() { open(UInt8(ascii: "{")) }
    /// Closes the innermost object.
    public func endObject() { close(UInt8(ascii: "}")) }
    /// Opens an array: the value of the preceding key, an element, or the document itself.
    public func beginArray() { open(UInt8(ascii: "[")) }
    /// Closes the innermost array.
    public func endArray() { close(UInt8(ascii: "]")) }

    /// An object whose members `body` writes.
    public func object(_ body: () -> Void) {
        beginObject(); body(); endObject()
    }

    /// An array whose elements `body` writes.
    public func array(_ body: () -> Void) {
        beginArray(); body(); endArray()
    }

    /// The member `key` of the enclosing object, an object whose members `body` writes.
    public func object(_ key: String, _ body: () -> Void) {
        self.key(key); object(body)
    }

    /// The member `key` of the enclosing object, an array whose elements `body` writes.
    public func array(_ key: String, _ body: () -> Void) {
        self.key(key); array(body)
    }

    // MARK: Keys and values

    /// The key of the next member of the enclosing object; its value is written next.
    public func key(_ name: String) {
        separate()
        appendString(name)
        bytes.append(UInt8(ascii: ":"))
        if style == .pretty { bytes.append(UInt8(ascii: " ")) }
        afterKey = true
    }

    /// A string value.
    public func string(_ value: String) {
        beginValue(); appendString(value); hasMembers = true
    }

    /// An integer value.
    public func int(_ value: Int) { int(Int64(value)) }

    /// An integer value.
    public func int(_ value: Int64) {
        beginValue(); appendDecimal(value); hasMembers = true
    }

    /// `true` or `false`.
    public func bool(_ value: Bool) {
        beginValue(); appendASCII(value ? "true" : "false"); hasMembers = true
    }

    /// `null`.
    public func null() {
        beginValue(); appendASCII("null"); hasMembers = true
    }

    /// A member with a string value.
    public func field(_ key: String, _ value: String) { self.key(key); string(value) }
    /// A member with an integer value.
    public func field(_ key: String, _ value: Int) { self.key(key); int(value) }
    /// A member with an integer value.
    public func field(_ key: String, _ value: Int64) { self.key(key); int(value) }
    /// A member with a boolean value.
    public func field(_ key: String, _ value: Bool) { self.key(key); bool(value) }

    // MARK: Layout

    private func open(_ bracket: UInt8) {
        beginValue()
        bytes.append(bracket)
        depth += 1
        hasMembers = false
    }

    private func close(_ bracket: UInt8) {
        depth -= 1
        if hasMembers && style == .pretty { newline() }
        bytes.append(bracket)
        hasMembers = true
    }

    /// Before a value: nothing after a key; before an element, a comma after the previous one
    /// and (pretty) a line of its own.
    private func beginValue() {
        if afterKey {
            afterKey = false
        } else if depth > 0 {
            separate()
        }
    }

    /// A comma after the previous member or element, then (pretty) a new, indented line.
    private func separate() {
        if hasMembers { bytes.append(UInt8(ascii: ",")) }
        if style == .pretty { newline() }
    }

    private func newline() {
        bytes.append(10)
        for _ in 0..<(2 * depth) { bytes.append(UInt8(ascii: " ")) }
    }

    // MARK: Text

    private static let hexDigits: StaticString = "0123456789abcdef"

    private func appendString(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(b)
            case 10: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
            case 13: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
            case 9: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
            case 0..<0x20:
                appendASCII("\\u00")
                let hex = JSONWriter.hexDigits.utf8Start
                bytes.append(hex[Int(b >> 4)])
                bytes.append(hex[Int(b & 0xF)])
            default: bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private func appendASCII(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Decimal digits, without going through `String` (Int64.min included).
    private func appendDecimal(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        bytes[start...].reverse()
    }
}
