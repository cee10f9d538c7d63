import CBerthShim
import Glibc

/// Work a command hands to a detached child process so that its caller does not wait for it
/// (in the manner of `git gc --auto`): the WAL checkpoint (``BackgroundCheckpoint``) and the
/// kernel's deletion of a detached veth. The work must be bounded, idempotent and safe to
/// interrupt: a killed child leaves something the next command or `berth gc` finishes.
public enum DetachedChild {
    /// Forks a child that runs `body` and exits; returns true in the parent once it is started,
    /// false if fork failed (the caller then does the work itself or leaves it for later).
    ///
    /// The child is invisible to whoever ran berth: it starts its own session, its standard
    /// descriptors go to /dev/null and every other descriptor is closed, so a runtime reading
    /// berth's output until end of file does not wait for it — except `keeping`, which the child
    /// holds as descriptor 3 (the operation lock, so `berth gc` waits for the child's work as it
    /// waits for any command's). With `lowPriority` it runs behind the next command on the CPU.
    ///
    /// `body` runs in a copy of a process that must have had one thread: it may allocate and
    /// make system calls, but must not use SQLite connections it inherited. A caller that may
    /// run beside other threads checks ``threadCount()`` first: a child copied while another
    /// thread held a lock (the allocator's, the runtime's) could wait for it for ever, holding
    /// `descriptor`'s lock, and a daemon would not reap it.
    public static func start(keeping descriptor: Int32? = nil, lowPriority: Bool, _ body: () -> Void) -> Bool {
        let child = fork()
        if child < 0 { return false }
        guard child == 0 else { return true }
        _ = setsid()
        // A teardown forks while it holds SIGINT, SIGTERM and SIGHUP back: the child's work is
        // safe to interrupt, so it may be stopped like any process.
        var none = sigset_t()
        sigemptyset(&none)
        sigprocmask(SIG_SETMASK, &none, nil)
        let null = open("/dev/null", O_RDWR)
        if null >= 0 {
            _ = dup2(null, 0)
            _ = dup2(null, 1)
            _ = dup2(null, 2)
        }
        if let descriptor, descriptor >= 0 {
            // dup2 shares the open file description, and with it a flock held on it.
            if descriptor != 3 { _ = dup2(descriptor, 3) }
            _ = berth_close_from(4)
        } else {
            _ = berth_close_from(3)
        }
        if lowPriority { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19) }
        body()
        _exit(0)
    }

    /// The calling process's thread count (field 20 of /proc/self/stat, after the command name
    /// in parentheses, which may itself hold spaces and parentheses); nil if unreadable.
    public static func threadCount() -> Int? {
        let fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0, let end = buffer[..<count].lastIndex(of: UInt8(ascii: ")")) else { return nil }
        // Fields 3… follow ") "; the thread count is the 18th of them.
        let fields = buffer[(end + 1)..<count].split(separator: UInt8(ascii: " "))
        guard fields.count > 17 else { return nil }
        return Int(String(decoding: fields[17], as: UTF8.self))
    }
}
