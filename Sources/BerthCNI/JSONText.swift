import BerthJSON

/// A minimal JSON writer with a fixed key order: results are small, and writing them directly
/// keeps the output byte-for-byte predictable (the order runtimes and the reference plugins use)
/// and costs nothing at start-up.
final class JSONText {
    private(set) var text = ""
    private var needsComma = false

    func object(_ body: () -> Void) {
        open("{"); body(); close("}")
    }

    func object(_ key: String, _ body: () -> Void) {
        keyPrefix(key); needsComma = false; open("{", prefixed: true); body(); close("}")
    }

    func array(_ key: String, _ body: () -> Void) {
        keyPrefix(key); open("[", prefixed: true); body(); close("]")
    }

    /// An element of the enclosing array that is an object.
    func element(_ body: () -> Void) {
        open("{"); body(); close("}")
    }

    /// A string element of the enclosing array.
    func element(_ value: String) {
        separator(); string(value); needsComma = true
    }

    func field(_ key: String, _ value: String) {
        keyPrefix(key); string(value); needsComma = true
    }

    func field(_ key: String, _ value: Int) {
        keyPrefix(key); text += String(value); needsComma = true
    }

    func field(_ key: String, _ value: Bool) {
        keyPrefix(key); text += value ? "true" : "false"; needsComma = true
    }

    private func open(_ bracket: String, prefixed: Bool = false) {
        if !prefixed { separator() }
        text += bracket
        needsComma = false
    }

    private func close(_ bracket: String) {
        text += bracket
        needsComma = true
    }

    private func separator() {
        if needsComma { text += "," }
    }

    private func keyPrefix(_ key: String) {
        separator(); string(key); text += ":"
        needsComma = false
    }

    private func string(_ s: String) {
        text += JSONString.literal(s)
    }
}
