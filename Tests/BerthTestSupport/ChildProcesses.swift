#if canImport(Glibc)
import Glibc
#endif

/// The children of this process, read from /proc: a test that hands work to a forked child
/// (``BerthStore/DetachedChild``) learns from them whether one was started, and waits for it to
/// end instead of sleeping and hoping it has.
public enum ChildProcesses {
    /// Every process whose parent is this one, exited but not yet waited for included.
    public static func current() -> Set<pid_t> {
        let me = getpid()
        var children: Set<pid_t> = []
        for name in DirectoryEntries.names("/proc") ?? [] {
            guard let pid = pid_t(name), let stat = readSmallFile("/proc/\(name)/stat") else { continue }
            // "pid (comm) state ppid …": comm may hold spaces and parentheses, so parse after the last ')'.
            guard let close = stat.lastIndex(of: UInt8(ascii: ")")) else { continue }
            let fields = stat[stat.index(after: close)...].split(separator: UInt8(ascii: " "))
            if fields.count > 1, pid_t(String(decoding: fields[1], as: UTF8.self)) == me { children.insert(pid) }
        }
        return children
    }

    /// Waits for `pid`, a child of this process, to end; returns its wait status, or nil when
    /// it is not (or no longer) a child to wait for.
    public static func wait(for pid: pid_t) -> Int32? {
        var status: Int32 = 0
        while true {
            if waitpid(pid, &status, 0) == pid { return status }
            if errno != EINTR { return nil }
        }
    }

    private static func readSmallFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        return n > 0 ? Array(bytes[..<n]) : nil
    }
}
