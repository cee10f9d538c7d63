#if canImport(Glibc)
import Glibc
#endif

/// `STATE/dns/berth-dns.pid`, `flock`ed for the server's whole life: the lock, not the pid in
/// it, says a server runs (a stale file from a crash holds no lock).
struct PidFile {
    let path: String
    private let fd: Int32

    enum Outcome {
        case locked(PidFile)
        /// Another server holds the lock.
        case taken
    }

    /// Takes the lock, waiting up to `timeoutMilliseconds` for a server that is exiting.
    static func lock(path: String, timeoutMilliseconds: Int = 1000) throws(ServerError) -> Outcome {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ServerError("\(path): \(errnoText(errno))") }
        let deadline = ControlSocket.monotonicMilliseconds() + timeoutMilliseconds
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, ControlSocket.monotonicMilliseconds() < deadline else {
                close(fd)
                return .taken
            }
            usleep(10_000)
        }
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        return .locked(PidFile(path: path, fd: fd))
    }

    /// Removes the file (still holding the lock, so a new server that opens it next creates a
    /// new file and locks that).
    func remove() {
        unlink(path)
    }
}

/// The launcher's pipe: `ready\n` once the server answers, or `error TEXT\n` before it exits 1.
struct ReadySignal {
    var fd: Int32?

    mutating func send(_ line: String) {
        guard let descriptor = fd else { return }
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        fd = nil
    }
}

/// Makes `path` a directory (mode 0700) unless it is one.
func makeDirectory(_ path: String) throws(ServerError) {
    if mkdir(path, 0o700) != 0 && errno != EEXIST { throw ServerError("\(path): \(errnoText(errno))") }
}

/// As many descriptors as allowed: every forward in flight and TCP connection holds one.
func raiseDescriptorLimit() {
    var limit = rlimit()
    guard getrlimit(RLIMIT_NOFILE_VALUE, &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
    limit.rlim_cur = min(limit.rlim_max, 65536)
    _ = setrlimit(RLIMIT_NOFILE_VALUE, &limit)
}

private let RLIMIT_NOFILE_VALUE = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
