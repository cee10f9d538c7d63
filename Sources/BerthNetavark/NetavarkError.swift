import BerthEngine
import BerthJSON

/// A failure as netavark reports it: `{"error": "<one line>"}` on stdout, exit status 1.
/// Podman shows the message as the reason its command failed.
struct NetavarkError: Error, Equatable, Sendable, CustomStringConvertible {
    var message: String

    init(_ message: String) { self.message = message }

    var description: String { message }

    /// The error object, one line.
    var json: String {
        let w = JSONWriter()
        w.object { w.field("error", message) }
        return w.text
    }

    /// Any error the front end or the engine throws, as one line.
    static func from(_ error: Error) -> NetavarkError {
        let text: String
        switch error {
        case let e as NetavarkError: return e
        case let e as BerthError: text = e.description
        case let e as JSONSyntaxError: text = "cannot read the network options: \(e)"
        case let e as JSONShapeError: text = "cannot read the network options: \(e)"
        default: text = "\(error)"
        }
        return NetavarkError(String(text.map { $0 == "\n" || $0 == "\r" ? " " : $0 }))
    }
}
