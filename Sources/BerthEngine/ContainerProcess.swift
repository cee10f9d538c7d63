import BerthNetlink
import CBerthShim
import Glibc
import Synchronization

/// Runs a command as a throwaway "container": a new network namespace (and a private mount
/// namespace) that `berth run` attaches to a network for the command's lifetime.
/// A network namespace Berth made for a command (`berth run`), named `run:<berth's PID>`.
public struct ContainerNamespace: Sendable {
    let namespace: NetworkNamespace
    /// How endpoints record it, and how disconnect finds it.
    public let target: String
}

public enum ContainerProcess {
    /// Creates a fresh, empty network namespace and returns a handle on it.
    public static func createNamespace() throws -> ContainerNamespace {
        let fd = berth_create_netns()
        guard fd >= 0 else {
            if -fd == EPERM { throw BerthError.permissionDenied("berth needs root (CAP_SYS_ADMIN) to create a network namespace") }
            throw BerthError.system("cannot create a network namespace: \(String(cString: strerror(-fd)))")
        }
        defer { close(fd) }
        return ContainerNamespace(namespace: try translating { try NetworkNamespace(path: "/proc/self/fd/\(fd)") },
                                  target: "run:\(getpid())")
    }

    /// Keeps SIGINT, SIGTERM and SIGHUP pending from now on (call before connecting), so no
    /// signal can end berth between the connect and the command's start.
    public static func holdSignals() {
        ChildSignals.setBlocked(true)
    }

    /// Starts `arguments` inside `namespace` and waits for it. SIGINT and SIGTERM are passed on
    /// to the command instead of killing berth, so berth always gets to clean up afterwards.
    /// Returns the command's exit status (128+signal when it was killed by a signal).
    /// `resolvConf`, when given, is bind-mounted over `/etc/resolv.conf` in the command's
    /// private mount namespace.
    public static func run(_ arguments: [String], in container: ContainerNamespace,
                           resolvConf: RunResolvConf? = nil) throws -> Int32 {
        let namespace = container.namespace
        var cStrings = arguments.map { strdup($0) }
        cStrings.append(nil)
        defer { for p in cStrings { free(p) } }
        let pid = cStrings.withUnsafeMutableBufferPointer { argv in
            if let path = resolvConf?.path { return berth_spawn_in_netns(namespace.fd, argv.baseAddress, path) }
            return berth_spawn_in_netns(namespace.fd, argv.baseAddress, nil)
        }
        guard pid > 0 else {
            let e = -pid
            if e == ENOENT { throw BerthError.notFound("command not found: \(arguments.first ?? "")") }
            throw BerthError.system("cannot start \(arguments.first ?? ""): \(String(cString: strerror(e)))")
        }
        ChildSignals.forward(to: pid)
        defer { ChildSignals.restore() }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { throw BerthError.system("waitpid failed: \(String(cString: strerror(errno)))") }
        }
        let signal = status & 0x7f
        if signal == 0 { return (status >> 8) & 0xff }
        return 128 + signal
    }
}

/// Forwards SIGINT, SIGTERM and SIGHUP to the child while berth waits, so teardown always runs.
enum ChildSignals {
    /// The command's PID while it runs (an atomic: the signal handler reads it).
    static let child = Atomic<pid_t>(0)
    static let forwarded = [SIGINT, SIGTERM, SIGHUP]

    static func forward(to pid: pid_t) {
        child.store(pid, ordering: .sequentiallyConsistent)
        let handler: @convention(c) (Int32) -> Void = { sig in
            let pid = ChildSignals.child.load(ordering: .sequentiallyConsistent)
            if pid > 0 { kill(pid, sig) }
        }
        for sig in forwarded { signal(sig, handler) }
        setBlocked(false)   // what arrived while berth was connecting goes to the command now
    }

    static func restore() {
        child.store(0, ordering: .sequentiallyConsistent)
        for sig in forwarded { signal(sig, SIG_IGN) }   // teardown still ahead
    }

    static func setBlocked(_ blocked: Bool) {
        var set = sigset_t()
        sigemptyset(&set)
        for sig in forwarded { sigaddset(&set, sig) }
        sigprocmask(blocked ? SIG_BLOCK : SIG_UNBLOCK, &set, nil)
    }
}
