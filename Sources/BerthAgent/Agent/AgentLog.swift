import Glibc

/// One line per event on stderr, prefixed with the UTC time (a service manager's journal adds
/// its own, but a terminal or a test log has none).
public enum AgentLog {
    public static func line(_ message: String) {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let stamp = "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
        var text = "\(stamp) berth-agent: " + String(message.map { $0 == "\n" ? " " : $0 }) + "\n"
        text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }
}
