import CBerthShim
import Glibc

/// Starts `berth-dns` detached from the command that needs it (docs/dns.md, "Lifecycle"):
/// double fork and `setsid`, so it is nobody's child and outlives the command; stdin and
/// stdout `/dev/null`, stderr appended to `STATE/dns/berth-dns.log`; a pipe as its ready
/// descriptor, on which it writes `ready` once its listeners and control socket are bound.
enum DNSLauncher {
    /// Why the server could not be started.
    enum Failure: Error, Equatable {
        /// There is no `berth-dns` executable at the path.
        case missingBinary(String)
        /// It started but did not become ready: its `error` line, or what went wrong.
        case failed(String)
    }

    /// The executable: `$BERTH_DNS_BINARY`, else `berth-dns` beside this process's own.
    static func binaryPath() -> String {
        if let value = getenv("BERTH_DNS_BINARY"), value.pointee != 0 { return String(cString: value) }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return "/usr/local/bin/berth-dns" }
        let own = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let slash = own.lastIndex(of: "/") else { return "berth-dns" }
        return String(own[...slash]) + "berth-dns"
    }

    /// Spawns the server for `stateDirectory` and waits up to `milliseconds` for it to be
    /// ready. `logPath` receives its stderr.
    static func launch(stateDirectory: String, logPath: String, milliseconds: Int) throws(Failure) {
        let binary = binaryPath()
        guard access(binary, X_OK) == 0 else { throw .missingBinary(binary) }
        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0 else { throw .failed("pipe: \(String(cString: strerror(errno)))") }
        let (readEnd, writeEnd) = (pipeFDs[0], pipeFDs[1])
        // Close-on-exec on both ends: a server spawned by another thread must not hold them.
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)
        defer { close(readEnd) }
        // Everything the children need is made before fork: after it, only system calls.
        let readyFD: Int32 = 3
        let arguments = ["berth-dns", "--state-dir", stateDirectory, "--ready-fd", "\(readyFD)"]
        var argv = arguments.map { strdup($0) }
        argv.append(nil)
        defer { for p in argv { free(p) } }
        guard let path = strdup(binary), let log = strdup(logPath), let errorLine = strdup("error cannot execute berth-dns\n") else {
            close(writeEnd)
            throw .failed("out of memory")
        }
        defer { free(path); free(log); free(errorLine) }

        let child = fork()
        if child < 0 {
            close(writeEnd)
            throw .failed("fork: \(String(cString: strerror(errno)))")
        }
        if child == 0 {
            _ = setsid()
            if fork() != 0 { _exit(0) }   // the server is the grandchild: no parent waits for it
            var none = sigset_t()
            sigemptyset(&none)
            sigprocmask(SIG_SETMASK, &none, nil)
            for sig in [SIGINT, SIGTERM, SIGHUP, SIGPIPE] { signal(sig, SIG_DFL) }
            let null = open("/dev/null", O_RDWR)
            if null >= 0 { _ = dup2(null, 0); _ = dup2(null, 1) }
            let logFD = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            _ = dup2(logFD >= 0 ? logFD : null, 2)
            _ = dup2(writeEnd, readyFD)   // dup2 clears close-on-exec on the copy
            // Nothing else of berth's goes along: above all not the operation lock, whose
            // flock the server would otherwise hold for its whole life.
            _ = berth_close_from(readyFD + 1)
            execv(path, argv)
            _ = write(readyFD, errorLine, strlen(errorLine))
            _exit(127)
        }
        close(writeEnd)
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0 && errno == EINTR {}
        try waitForReady(readEnd, milliseconds: milliseconds, logPath: logPath)
    }

    /// Reads the ready descriptor until its first line, end of file or the deadline.
    private static func waitForReady(_ fd: Int32, milliseconds: Int, logPath: String) throws(Failure) {
        let deadline = MonotonicClock.now() + Int64(milliseconds)
        var line: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 256)
        while !line.contains(UInt8(ascii: "\n")) {
            let left = deadline - MonotonicClock.now()
            if left <= 0 { throw .failed("berth-dns did not become ready within \(milliseconds) ms (see \(logPath))") }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, Int32(left))
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { continue }
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                if line.isEmpty { throw .failed("berth-dns exited before it was ready (see \(logPath))") }
                break
            }
            line += chunk[0..<n]
        }
        let text = String(decoding: line.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        if text == "ready" { return }
        if text.hasPrefix("error ") { throw .failed(String(text.dropFirst(6))) }
        throw .failed("berth-dns said '\(Validation.printable(text))' instead of ready (see \(logPath))")
    }
}
