import BerthEngine
import BerthJSON

/// A CNI error as the spec defines it: printed as `{cniVersion, code, msg, details}` on stdout,
/// and the plugin exits non-zero.
public struct CNIError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The spec's well-known codes (1–99) and Berth's own (100 and up).
    public enum Code: Int, Sendable {
        case incompatibleVersion = 1
        case unsupportedField = 2
        case unknownContainer = 3
        case invalidEnvironment = 4
        case ioFailure = 5
        case decodingFailure = 6
        case invalidConfig = 7
        case tryAgainLater = 11
        case statusUnavailable = 50
        case statusDegraded = 51
        /// Berth: the request clashes with existing state (interface or address in use).
        case conflict = 100
        /// Berth: the container's namespace or a named object does not exist.
        case notFound = 101
        /// Berth: the kernel or the store failed underneath.
        case system = 102
        /// Berth: the plugin lacks CAP_NET_ADMIN.
        case permissionDenied = 103
        /// Berth: CHECK found the attachment missing or different from what ADD made.
        case checkFailed = 110
    }

    public var code: Code
    public var msg: String
    public var details: String

    public init(_ code: Code, _ msg: String, details: String = "") {
        self.code = code
        self.msg = msg
        self.details = details
    }

    public var description: String { "\(msg)" + (details.isEmpty ? "" : ": \(details)") }

    /// The error object the spec asks for, as one line of JSON.
    public func json(cniVersion: String) -> String {
        let w = JSONWriter()
        w.object {
            w.field("cniVersion", cniVersion)
            w.field("code", code.rawValue)
            w.field("msg", msg)
            if !details.isEmpty { w.field("details", details) }
        }
        return w.text
    }

    /// Maps an engine error to the closest CNI code.
    static func from(_ error: Error) -> CNIError {
        switch error {
        case let e as CNIError: return e
        case let e as BerthError:
            switch e {
            case .invalidArgument(let m), .configuration(let m): return CNIError(.invalidConfig, m)
            case .target(let m): return CNIError(.invalidEnvironment, "CNI_NETNS: \(m)")
            case .environment(let m): return CNIError(.invalidEnvironment, m)
            case .state(let m): return CNIError(.ioFailure, m)
            case .notFound(let m): return CNIError(.notFound, m)
            case .conflict(let m): return CNIError(.conflict, m)
            case .alreadyAttached(let m, let details): return CNIError(.conflict, m, details: details)
            case .permissionDenied(let m): return CNIError(.permissionDenied, m)
            case .system(let m):
                // The store waited its whole busy timeout: the runtime should simply retry.
                if m.contains("database is locked") || m.contains("database is busy") {
                    return CNIError(.tryAgainLater, "state store is busy", details: m)
                }
                return CNIError(.system, m)
            }
        default: return CNIError(.system, "\(error)")
        }
    }
}
