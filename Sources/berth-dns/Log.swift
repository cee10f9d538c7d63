#if canImport(Glibc)
import Glibc
#endif

/// One line on stderr, which the launcher points at `STATE/dns/berth-dns.log`: a UTC timestamp,
/// the pid and the message. One `write` per line, so lines from the two threads never interleave.
func log(_ message: String) {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    var seconds = time_t(now.tv_sec)
    var parts = tm()
    gmtime_r(&seconds, &parts)
    func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
    let stamp = "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
        + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    let line = "\(stamp) berth-dns[\(getpid())]: \(message)\n"
    _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
}

/// The text of an errno value.
func errnoText(_ code: Int32) -> String { String(cString: strerror(code)) }
