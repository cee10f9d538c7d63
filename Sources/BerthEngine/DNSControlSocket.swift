import Glibc

/// One request to `berth-dns` over its control socket (`STATE/dns/control.sock`, an `AF_UNIX`
/// `SOCK_SEQPACKET` socket: one request per datagram, one reply per request). Plain system
/// calls with a `poll` deadline, so a hung or missing server never hangs a command.
enum DNSControlSocket {
    /// What came of a request.
    enum Outcome: Equatable {
        /// `ok …`: the text after `ok ` (the generation, or the status JSON).
        case ok(String)
        /// `error TEXT`: the server refused the change.
        case refused(String)
        /// No server: the socket is missing or nothing listens on it.
        case absent
        /// A server took the connection but did not answer in time (or the connection broke).
        case silent
    }

    /// Sends `request` to the socket at `path` and waits up to `milliseconds` for the reply.
    static func exchange(_ request: String, path: String, milliseconds: Int) -> Outcome {
        let deadline = MonotonicClock.now() + Int64(milliseconds)
        let fd = socket(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { return .absent }
        defer { close(fd) }
        guard var address = socketAddress(path) else { return .absent }
        // A full backlog makes a non-blocking connect fail with EAGAIN: a busy server, retried
        // until the deadline rather than waited on without one.
        while true {
            let rc = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            if rc == 0 { break }
            switch errno {
            case EINTR: continue
            case EAGAIN:
                if MonotonicClock.now() >= deadline { return .silent }
                usleep(5_000)
            default:
                return .absent   // ENOENT, ECONNREFUSED, ENOTSOCK…: nothing listens there
            }
        }
        let sent = request.utf8CString.withUnsafeBufferPointer { buffer in
            send(fd, buffer.baseAddress, buffer.count - 1, Int32(MSG_NOSIGNAL))
        }
        guard sent == request.utf8.count else { return .silent }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let left = deadline - MonotonicClock.now()
            if left <= 0 { return .silent }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, Int32(left))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { return .silent }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            guard n > 0 else { return .silent }
            return parse(String(decoding: buffer[0..<n], as: UTF8.self))
        }
    }

    /// `ok GEN` / `ok {json}` / `error TEXT` (a trailing newline is tolerated).
    static func parse(_ reply: String) -> Outcome {
        var text = Substring(reply)
        while text.last == "\n" || text.last == "\r" { text = text.dropLast() }
        if text == "ok" { return .ok("") }
        if text.hasPrefix("ok ") { return .ok(String(text.dropFirst(3))) }
        if text.hasPrefix("error ") { return .refused(String(text.dropFirst(6))) }
        if text == "error" { return .refused("unspecified error") }
        return .refused("unexpected reply '\(Validation.printable(String(text)))'")
    }

    /// A `sockaddr_un` for `path`, or nil when the path is too long for one.
    static func socketAddress(_ path: String) -> sockaddr_un? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
            raw[bytes.count] = 0
        }
        return address
    }
}

/// Milliseconds on the monotonic clock, for deadlines.
enum MonotonicClock {
    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
