import CBerthShim
import Glibc

/// Why a namespace TARGET could not be used.
public enum NamespaceError: Error, CustomStringConvertible, Sendable {
    case noSuchProcess(Int32)
    case noSuchNamedNamespace(String)
    case noSuchPath(String)
    case notANamespace(String)
    case notANetworkNamespace(String)
    case cannotOpen(String, Int32)

    public var description: String {
        switch self {
        case .noSuchProcess(let pid): return "no process with PID \(pid)"
        case .noSuchNamedNamespace(let name): return "no network namespace named '\(name)' in /run/netns"
        case .noSuchPath(let path): return "\(path): no such file"
        case .notANamespace(let path): return "\(path) is not a namespace file (expected /proc/PID/ns/net or a file under /run/netns)"
        case .notANetworkNamespace(let path): return "\(path) is a namespace, but not a network namespace"
        case .cannotOpen(let path, let e): return "cannot open \(path): \(String(cString: strerror(e)))"
        }
    }
}

/// An open handle on a network namespace. Its identity is the (device, inode) pair of the
/// namespace file, which is the same whichever path reached it.
public final class NetworkNamespace: Sendable {
    /// An open read-only descriptor on the namespace file.
    public let fd: Int32
    /// The path it was opened from.
    public let path: String
    /// `st_dev` of the namespace file.
    public let device: UInt64
    /// `st_ino` of the namespace file: unique per namespace while it lives.
    public let inode: UInt64

    /// Opens a namespace file, verifying that it is a network namespace.
    /// Anything but a regular file (namespace files are regular files on nsfs) is refused
    /// before it is opened, and the open never blocks: a FIFO, a socket or a device named as a
    /// target must not hang berth (which may be holding the operation lock by then).
    public init(path: String) throws {
        var before = stat()
        guard stat(path, &before) == 0 else {
            let e = errno
            if e == ENOENT || e == ENOTDIR { throw NamespaceError.noSuchPath(path) }
            throw NamespaceError.cannotOpen(path, e)
        }
        guard before.st_mode & S_IFMT == S_IFREG else { throw NamespaceError.notANamespace(path) }
        // O_NONBLOCK as well: the file can be swapped for a FIFO between the stat and the open.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else {
            let e = errno
            if e == ENOENT { throw NamespaceError.noSuchPath(path) }
            throw NamespaceError.cannotOpen(path, e)
        }
        guard berth_is_nsfs(fd) == 1 else { close(fd); throw NamespaceError.notANamespace(path) }
        guard berth_ns_type(fd) == berth_clone_newnet() else {
            close(fd); throw NamespaceError.notANetworkNamespace(path)
        }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let e = errno
            close(fd); throw NamespaceError.cannotOpen(path, e)
        }
        self.fd = fd
        self.path = path
        self.device = UInt64(st.st_dev)
        self.inode = UInt64(st.st_ino)
    }

    /// Adopts `fd`, an open descriptor the caller vouches for as a namespace with this identity
    /// (closed with the handle). For engine tests, whose fake drivers never enter it.
    public init(adopting fd: Int32, path: String, device: UInt64, inode: UInt64) {
        self.fd = fd
        self.path = path
        self.device = device
        self.inode = inode
    }

    deinit { close(fd) }

    /// The namespace of the calling thread.
    public static func current() throws -> NetworkNamespace {
        try NetworkNamespace(path: "/proc/thread-self/ns/net")
    }

    /// The path a user's TARGET names: a PID, a path (anything with a `/`), or a name under
    /// `/run/netns`. Pure: it does not touch the file system.
    public static func path(forTarget target: String) -> String {
        if !target.isEmpty, target.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            return "/proc/\(target)/ns/net"
        }
        if target.contains("/") { return target }
        return "/run/netns/\(target)"
    }

    /// Opens a TARGET as the CLI accepts it: a PID, a path, or a name under `/run/netns`.
    public static func resolve(target: String) throws -> NetworkNamespace {
        let path = path(forTarget: target)
        do {
            return try NetworkNamespace(path: path)
        } catch NamespaceError.noSuchPath {
            if path.hasPrefix("/proc/"), let pid = Int32(target) { throw NamespaceError.noSuchProcess(pid) }
            if !target.contains("/") { throw NamespaceError.noSuchNamedNamespace(target) }
            throw NamespaceError.noSuchPath(path)
        }
    }

    /// Runs `body` with the calling thread inside this namespace, and returns the thread to its
    /// own namespace before returning. For work that is bound to the namespace at the moment it
    /// happens and needs nothing else: opening a socket (which keeps its namespace) or writing
    /// one of the namespace's sysctls. Synchronous, so no other code ever observes the thread
    /// in the foreign namespace.
    public func briefly<T>(_ body: () throws -> T) throws -> T {
        let home = Glibc.open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
        guard home >= 0 else { throw NetlinkError(errno: errno, operation: "open own network namespace") }
        defer { close(home) }
        let entered = berth_setns(fd, berth_clone_newnet())
        guard entered == 0 else {
            throw NetlinkError(errno: -entered, operation: "enter network namespace \(path)")
        }
        // do/catch rather than `Result`, whose `Failure: Error` requirement costs a fresh process
        // a scan of the runtime's protocol conformances.
        var value: T?
        var failure: (any Error)?
        do { value = try body() } catch { failure = error }
        let back = berth_setns(home, berth_clone_newnet())
        // Staying in the container's namespace would make every later step act on the wrong
        // network; there is no safe way to continue.
        precondition(back == 0, "cannot return to the original network namespace (errno \(-back))")
        if let failure { throw failure }
        return value!
    }

    /// True when both handles refer to the same namespace.
    public func isSame(as other: NetworkNamespace) -> Bool {
        device == other.device && inode == other.inode
    }
}
