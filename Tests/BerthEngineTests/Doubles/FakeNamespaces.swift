@testable import BerthEngine
import BerthNetlink
import Glibc
import Synchronization

/// Fake container namespaces: each target text (a name, a PID, a path) names one namespace,
/// with an identity of its own, handed out as a ``NetworkNamespace`` holding a copy of a
/// descriptor on /dev/null. No namespace is ever entered: the fake driver only reads the
/// identity. "self" is Berth's own namespace; a target marked gone cannot be opened.
final class FakeNamespaces: Sendable {
    /// The device every fake namespace file is on.
    static let device: UInt64 = 4
    /// The inode of Berth's own namespace.
    static let ownInode: UInt64 = 4_026_531_840
    /// Inodes for every harness of the test run, so a recovered state's records never share a
    /// namespace with a container made afterwards.
    private static let nextInode = Atomic<UInt64>(4_026_532_000)

    private let inodes = Mutex<[String: UInt64]>(["self": FakeNamespaces.ownInode])
    private let gone = Mutex<Set<String>>([])
    private let null: Int32

    init() {
        null = Glibc.open("/dev/null", O_RDONLY | O_CLOEXEC)
        precondition(null >= 0, "cannot open /dev/null")
    }

    deinit { close(null) }

    /// The identity of `target`'s namespace (given one on first sight).
    func key(_ target: String) -> NamespaceKey {
        let inode = inodes.withLock { inodes in
            if let known = inodes[target] { return known }
            let fresh = FakeNamespaces.nextInode.add(1, ordering: .relaxed).newValue
            inodes[target] = fresh
            return fresh
        }
        return NamespaceKey(device: FakeNamespaces.device, inode: inode)
    }

    /// Makes `target` fail to open from now on (its container died).
    func kill(_ target: String) { _ = gone.withLock { $0.insert(target) } }

    /// ``EngineEnvironment/openNamespace``: a fresh handle on `target`'s namespace.
    func open(_ target: Target) throws -> NetworkNamespace {
        let text = target.text
        if gone.withLock({ $0.contains(text) }) { throw BerthError.notFound("no such namespace: \(text)") }
        let key = key(text)
        return NetworkNamespace(adopting: dup(null), path: text.hasPrefix("/") ? text : "/run/netns/" + text,
                                device: key.device, inode: key.inode)
    }

    /// ``EngineEnvironment/isOwnNamespace``.
    func isOwn(_ namespace: NetworkNamespace) -> Bool {
        namespace.device == FakeNamespaces.device && namespace.inode == FakeNamespaces.ownInode
    }
}
