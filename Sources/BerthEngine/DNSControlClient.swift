import Glibc
import Synchronization

/// The live ``NameService``: talks to `berth-dns` over `STATE/dns/control.sock` and starts it
/// when it is not running (docs/dns.md, "Control socket" and "Lifecycle").
///
/// A request that finds no server (no socket, nothing listening, no reply) takes
/// `STATE/dns/start.lock`, asks again (another command may have started it meanwhile), else
/// spawns the server (``DNSLauncher``), waits for it to be ready, releases the lock and asks
/// once more. Every wait has a deadline, so a missing or hung server costs a command at most
/// a few seconds, never a hang.
///
/// A `berth-dns` executable that is not installed at all is not an error: the command goes on
/// without a name service and says so once on stderr.
public struct DNSControlClient: NameService {
    /// `STATE/dns`.
    let directory: String
    let stateDirectory: String

    /// How long a network change may take (the server binds its listeners).
    static let networkMilliseconds = 2000
    /// How long an endpoint change may take.
    static let endpointMilliseconds = 1000
    /// How long the server may take to become ready after it is spawned.
    static let readyMilliseconds = 2000

    /// The client of the server for `stateDirectory`.
    public init(stateDirectory: String) {
        self.stateDirectory = stateDirectory
        directory = (stateDirectory.hasSuffix("/") ? stateDirectory : stateDirectory + "/") + "dns"
    }

    var socketPath: String { directory + "/control.sock" }
    var lockPath: String { directory + "/start.lock" }
    var logPath: String { directory + "/berth-dns.log" }

    public func networkChanged(_ name: String) throws {
        do {
            _ = try request("network \(name)", milliseconds: Self.networkMilliseconds)
        } catch .missingBinary(let path) {
            Self.noteMissing(path)
        } catch .refused(let text) {
            throw BerthError.system("the name service refused network '\(name)': \(text)")
        } catch .failed(let text) {
            throw BerthError.system("the name service could not take network '\(name)': \(text)")
        }
    }

    public func networkRemoved(_ name: String) {
        _ = DNSControlSocket.exchange("network \(name)", path: socketPath, milliseconds: Self.networkMilliseconds)
    }

    public func endpointChanged(_ id: String) -> Bool {
        do {
            _ = try request("endpoint \(id)", milliseconds: Self.endpointMilliseconds)
            return true
        } catch .missingBinary(let path) {
            Self.noteMissing(path)
            return false
        } catch {
            return false
        }
    }

    public func status() throws -> String? {
        switch DNSControlSocket.exchange("status", path: socketPath, milliseconds: Self.endpointMilliseconds) {
        case .ok(let json): return json
        case .absent: return nil
        case .silent: throw BerthError.system("the name service did not answer within \(Self.endpointMilliseconds) ms")
        case .refused(let text): throw BerthError.system("the name service: \(text)")
        }
    }

    public func ensureRunning() throws {
        do {
            _ = try request("status", milliseconds: Self.endpointMilliseconds)
        } catch .missingBinary(let path) {
            throw BerthError.environment("berth-dns is not installed (\(path)): container names do not resolve")
        } catch .refused(let text), .failed(let text) {
            throw BerthError.system("cannot start the name service: \(text)")
        }
    }

    /// Why a request failed.
    enum RequestFailure: Error {
        case missingBinary(String)
        case refused(String)
        case failed(String)
    }

    /// Sends `text`, starting the server first if there is none; returns the reply's text.
    func request(_ text: String, milliseconds: Int) throws(RequestFailure) -> String {
        switch DNSControlSocket.exchange(text, path: socketPath, milliseconds: milliseconds) {
        case .ok(let reply): return reply
        case .refused(let reason): throw .refused(reason)
        case .absent, .silent: break
        }
        try start(milliseconds: milliseconds)
        switch DNSControlSocket.exchange(text, path: socketPath, milliseconds: milliseconds) {
        case .ok(let reply): return reply
        case .refused(let reason): throw .refused(reason)
        case .absent: throw .failed("berth-dns started but its control socket is missing (see \(logPath))")
        case .silent: throw .failed("berth-dns did not answer within \(milliseconds) ms (see \(logPath))")
        }
    }

    /// Starts the server under `start.lock`, unless another launcher did meanwhile.
    private func start(milliseconds: Int) throws(RequestFailure) {
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw .failed("cannot create \(directory): \(String(cString: strerror(errno)))")
        }
        let lock = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0 else { throw .failed("cannot open \(lockPath): \(String(cString: strerror(errno)))") }
        defer { close(lock) }   // releases the flock
        // Another launcher holds it for at most its ready wait: wait a little longer than that.
        let deadline = MonotonicClock.now() + Int64(Self.readyMilliseconds + 1000)
        while flock(lock, LOCK_EX | LOCK_NB) != 0 {
            if errno != EWOULDBLOCK && errno != EINTR { break }   // no flock here: go on without
            if MonotonicClock.now() >= deadline { throw .failed("another berth is starting the name service (\(lockPath) held)") }
            usleep(10_000)
        }
        if case .ok = DNSControlSocket.exchange("status", path: socketPath, milliseconds: 300) { return }
        do {
            try DNSLauncher.launch(stateDirectory: stateDirectory, logPath: logPath, milliseconds: Self.readyMilliseconds)
        } catch {
            switch error {
            case .missingBinary(let path): throw .missingBinary(path)
            case .failed(let text): throw .failed(text)
            }
        }
    }

    /// Whether this process has said already that `berth-dns` is missing.
    private static let notedMissing = Atomic<Bool>(false)

    /// Whether this process said that `berth-dns` is not installed (then a missing
    /// acknowledgement needs no note of its own).
    static var saidMissing: Bool { notedMissing.load(ordering: .relaxed) }

    private static func noteMissing(_ path: String) {
        guard !notedMissing.exchange(true, ordering: .relaxed) else { return }
        Notice.emit("berth-dns is not installed (\(path)): container names will not resolve on this network")
    }
}
