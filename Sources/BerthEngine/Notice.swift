import Glibc

/// A one-line note for the user on stderr (never stdout, which CNI results and JSON own).
enum Notice {
    static func emit(_ text: String) {
        var line = "berth: note: \(text)\n"
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }
}
