#if canImport(Glibc)
import Glibc
#endif

/// `berth-dns --state-dir DIR [--ready-fd N] [--foreground]` (docs/dns.md "Lifecycle").
///
/// The process never detaches itself: the launcher (`DNSControlClient`) does that, so
/// `--foreground` is accepted for symmetry with manual runs and changes nothing.
struct Arguments {
    var stateDirectory: String
    var readyDescriptor: Int32?
    var foreground = false

    static let usage = "usage: berth-dns --state-dir DIR [--ready-fd N] [--foreground]"

    /// Parses the command line; nil (after a message on stderr) when it is wrong.
    static func parse(_ arguments: [String]) -> Arguments? {
        var state: String?
        var ready: Int32?
        var foreground = false
        var rest = arguments.dropFirst()[...]
        while let argument = rest.popFirst() {
            var name = argument
            var inline: String?
            if let equals = argument.firstIndex(of: "="), argument.hasPrefix("--") {
                name = String(argument[..<equals])
                inline = String(argument[argument.index(after: equals)...])
            }
            switch name {
            case "--state-dir":
                guard let value = inline ?? rest.popFirst(), !value.isEmpty else { return fail("--state-dir needs a directory") }
                state = value
            case "--ready-fd":
                guard let value = inline ?? rest.popFirst(), let fd = Int32(value), fd >= 0 else {
                    return fail("--ready-fd needs a file descriptor number")
                }
                ready = fd
            case "--foreground":
                foreground = true
            case "-h", "--help":
                print(usage)
                exit(0)
            default:
                return fail("unknown argument '\(argument)'")
            }
        }
        guard let state else { return fail("--state-dir is required") }
        return Arguments(stateDirectory: state, readyDescriptor: ready, foreground: foreground)
    }

    private static func fail(_ message: String) -> Arguments? {
        let text = "berth-dns: \(message)\n\(usage)\n"
        _ = text.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
        return nil
    }
}
