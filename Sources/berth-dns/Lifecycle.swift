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
    ///
    /// An exiting server unlinks the file while it still holds the lock, so a lock won on a file
    /// that is no longer at `path` (or was replaced) is worthless: open the path again.
    static func lock(path: String, timeoutMilliseconds: Int = 1000) throws(ServerError) -> Outcome {
        let deadline = ControlSocket.monotonicMilliseconds() + timeoutMilliseconds
        while true {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw ServerError("\(path): \(errnoText(errno))") }
            while flock(fd, LOCK_EX | LOCK_NB) != 0 {
                guard errno == EWOULDBLOCK || errno == EINTR, ControlSocket.monotonicMilliseconds() < deadline else {
                    close(fd)
                    return .taken
                }
                usleep(10_000)
            }
            var opened = stat()
            var named = stat()
            guard fstat(fd, &opened) == 0, stat(path, &named) == 0,
                  opened.st_ino == named.st_ino, opened.st_dev == named.st_dev else {
                close(fd)
                continue
            }
            let text = Array("\(getpid())\n".utf8)
            _ = ftruncate(fd, 0)
            _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
            return .locked(PidFile(path: path, fd: fd))
        }
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
