import Glibc

/// `STATE/agent.pid`: the agent's pid, and an exclusive `flock` on the file for as long as the
/// agent lives. The lock, not the pid, says whether an agent is alive: the kernel drops it when
/// the process ends however it ends, so a stale file (or a reused pid) never blocks a new
/// agent and never gets a stranger's process signalled.
public struct PidFile: ~Copyable {
    public let path: String
    private let fd: Int32

    public static func path(stateDirectory: String) -> String { stateDirectory + "/agent.pid" }

    /// Takes the file for this process; an error naming the live agent's pid otherwise.
    public init(stateDirectory: String) throws {
        path = Self.path(stateDirectory: stateDirectory)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw AgentError("cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = Self.readPid(fd)
            close(fd)
            throw AgentError("an agent is already running for this state directory (pid \(holder.map { "\($0)" } ?? "unknown"), \(path))")
        }
        _ = ftruncate(fd, 0)
        let text = "\(getpid())\n"
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
        self.fd = fd
    }

    /// Removes the file and lets go (the agent's clean exit).
    deinit {
        unlink(path)
        close(fd)
    }

    private static func readPid(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = pread(fd, &buffer, buffer.count, 0)
        guard n > 0 else { return nil }
        return Int32(String(decoding: buffer[0..<n], as: UTF8.self).filter(\.isNumber))
    }

    /// The live agent's pid for `stateDirectory`, or nil when none holds the file.
    public static func liveAgent(stateDirectory: String) -> Int32? {
        let fd = open(path(stateDirectory: stateDirectory), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        // Shared lock granted: nobody holds the exclusive one, so no agent lives.
        if flock(fd, LOCK_SH | LOCK_NB) == 0 { return nil }
        return readPid(fd)
    }

    /// Tells the live agent (if any) to resynchronise now; whether one was told.
    @discardableResult
    public static func hangUp(stateDirectory: String) -> Bool {
        guard let pid = liveAgent(stateDirectory: stateDirectory), pid > 0 else { return false }
        return kill(pid, SIGHUP) == 0
    }
}

/// A one-line failure of an overlay command or the agent.
public struct AgentError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
