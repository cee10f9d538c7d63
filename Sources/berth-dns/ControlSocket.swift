#if canImport(Glibc)
import Glibc
#endif

/// `STATE/dns/control.sock`: `AF_UNIX`, `SOCK_SEQPACKET` (one request per datagram, message
/// boundaries kept, connection semantics so a front end sees the server go away), mode 0600.
/// Served with plain syscalls by the control thread in `run`, which also takes SIGTERM (blocked
/// in every thread, seen as pending here within 100 ms: Glibc's module has no signalfd) and runs
/// the once-a-second checks, so every change happens on that one thread.
final class ControlSocket {
    let path: String
    private let listener: Int32
    private var clients: [Int32] = []

    static let maxClients = 64

    /// Binds the socket, replacing a stale one (the caller holds the pidfile lock, so no other
    /// server uses it).
    init(path: String) throws(ServerError) {
        self.path = path
        let fd = socket(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ServerError("control socket: \(errnoText(errno))") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw ServerError("control socket: path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        unlink(path)
        // Created 0600 (umask), never briefly open to others.
        let previous = umask(0o177)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        let bindErrno = errno
        umask(previous)
        guard rc == 0 else {
            close(fd)
            throw ServerError("control socket \(path): \(errnoText(bindErrno))")
        }
        guard listen(fd, 32) == 0 else {
            let code = errno
            close(fd)
            throw ServerError("control socket \(path): \(errnoText(code))")
        }
        listener = fd
    }

    /// Serves requests until `shouldStop` says so after a request or a tick, or one of `signals`
    /// (blocked) is pending. `tick` runs about once a second.
    func run(signals: sigset_t, handle: (String) -> String, tick: () -> Void, shouldStop: () -> Bool) {
        var nextTick = Self.monotonicMilliseconds() + 1000
        while true {
            var fds = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            fds += clients.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let wait = min(100, max(0, nextTick - Self.monotonicMilliseconds()))
            let ready = poll(&fds, nfds_t(fds.count), Int32(wait))
            if ready < 0 && errno != EINTR {
                log("poll: \(errnoText(errno))")
                return
            }
            var pending = sigset_t()
            var wanted = signals
            sigpending(&pending)
            for signal in [SIGTERM, SIGINT] where sigismember(&pending, signal) == 1 && sigismember(&wanted, signal) == 1 {
                log("signal \(signal)")
                return
            }
            for entry in fds.dropFirst(1) where entry.revents != 0 {
                serve(entry.fd, handle: handle)
                if shouldStop() { return }
            }
            if fds[0].revents & Int16(POLLIN) != 0 { accept() }
            if Self.monotonicMilliseconds() >= nextTick {
                nextTick = Self.monotonicMilliseconds() + 1000
                tick()
                if shouldStop() { return }
            }
        }
    }

    private func accept() {
        let fd = Glibc.accept(listener, nil, nil)
        guard fd >= 0 else { return }
        _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        if clients.count >= Self.maxClients {
            // The oldest client is most likely a front end that went away without closing.
            close(clients.removeFirst())
        }
        clients.append(fd)
    }

    private func serve(_ fd: Int32, handle: (String) -> String) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count < 0 && (errno == EINTR || errno == EAGAIN) { return }
        guard count > 0 else {
            close(fd)
            clients.removeAll { $0 == fd }
            return
        }
        let request = String(decoding: buffer[..<count], as: UTF8.self)
        let reply = Array(handle(request).utf8)
        _ = reply.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Closes the socket and removes its file.
    func shutdown() {
        for fd in clients { close(fd) }
        close(listener)
        unlink(path)
    }

    static func monotonicMilliseconds() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int(now.tv_sec) * 1000 + Int(now.tv_nsec) / 1_000_000
    }
}

/// A start-up or control failure, as one line of text.
struct ServerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
