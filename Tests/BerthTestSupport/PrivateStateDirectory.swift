#if canImport(Glibc)
import Glibc
#endif

/// A state directory of the test's own, named by `BERTH_STATE_DIR` (which wins over every other
/// way of naming one, in the CLI and the CNI plugin alike) while the test runs, and a watch on
/// the host's default state directory that reports anything done there meanwhile.
///
/// Use one per test (`setUp` makes it, `tearDown` calls ``finish()`` and fails the test on
/// anything it returns). Unit tests must never open the host's store: it is not theirs, and a
/// test that upgraded or locked it would break the berth that owns it.
public final class PrivateStateDirectory {
    /// Where berth keeps its state unless told otherwise.
    public static let hostDefault = "/var/lib/berth"

    /// The test's own state directory.
    public let path: String
    private let directory: TemporaryDirectory
    private let previous: String?
    private let watch: PathWatch

    /// Makes the directory, points `BERTH_STATE_DIR` at it and starts watching `watched` (the
    /// host's default; tests of this class pass a directory of their own).
    public init(watching watched: String = PrivateStateDirectory.hostDefault) {
        directory = TemporaryDirectory(prefix: "berth-state")
        path = directory.path
        previous = getenv("BERTH_STATE_DIR").map { String(cString: $0) }
        watch = PathWatch(watched)
        setenv("BERTH_STATE_DIR", path, 1)
    }

    /// The names in the test's state directory (see ``DirectoryEntries/names(_:)``).
    public var entries: [String]? { DirectoryEntries.names(path) }

    /// Restores `BERTH_STATE_DIR`, removes the directory and returns what happened at the watched
    /// path since ``init(watching:)``: empty when nothing was opened, created, read, changed or
    /// removed there.
    public func finish() -> [String] {
        if let previous { setenv("BERTH_STATE_DIR", previous, 1) } else { unsetenv("BERTH_STATE_DIR") }
        directory.remove()
        return watch.finish()
    }
}

/// An inotify watch on one path and on its parent directory, for telling whether anything used
/// the path — opened, read, wrote, created or removed it or a file in it — without touching it.
public final class PathWatch {
    /// The path watched.
    public let path: String
    private let fd: Int32
    private var watches: [Int32: String] = [:]
    /// The watch on the parent directory: only events naming ``path``'s last component count.
    private var parentWatch: Int32 = -1
    private let name: String
    /// Why the path cannot be watched, when it cannot (reported by ``finish()``).
    private var failure: String?

    /// Starts watching. A path that does not exist is watched through its parent, which reports
    /// its creation; a parent that does not exist either cannot be used unnoticed by a test.
    public init(_ path: String) {
        self.path = path
        let slash = path.lastIndex(of: "/") ?? path.startIndex
        let parent = slash == path.startIndex ? "/" : String(path[..<slash])
        name = String(path[path.index(after: slash)...])
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else {
            failure = "inotify_init1: errno \(errno)"
            return
        }
        // IN_ALL_EVENTS, spelled out: Swift does not import the macro.
        let everything = UInt32(IN_ACCESS | IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE | IN_OPEN
                                | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF
                                | IN_DONT_FOLLOW)
        let w = inotify_add_watch(fd, path, everything)
        if w >= 0 {
            watches[w] = path
        } else if errno != ENOENT && errno != ENOTDIR {
            // EACCES for someone else's private directory: unusable by this test as well.
            failure = errno == EACCES ? nil : "cannot watch \(path): errno \(errno)"
        }
        parentWatch = inotify_add_watch(fd, parent, UInt32(IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB))
    }

    /// Stops watching and returns what happened, one line per event ("OPEN berth.db", …).
    public func finish() -> [String] {
        guard fd >= 0 else { return failure.map { [$0] } ?? [] }
        defer { close(fd) }
        var seen: [String] = failure.map { [$0] } ?? []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            var offset = 0
            while offset + MemoryLayout<inotify_event>.size <= n {
                let (wd, mask, length) = buffer.withUnsafeBytes { raw -> (Int32, UInt32, Int) in
                    let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    return (event.wd, event.mask, Int(event.len))
                }
                let nameStart = offset + MemoryLayout<inotify_event>.size
                let eventName = String(decoding: buffer[nameStart..<(nameStart + length)].prefix { $0 != 0 }, as: UTF8.self)
                offset = nameStart + length
                if mask & UInt32(IN_Q_OVERFLOW) != 0 {
                    seen.append("OVERFLOW (too many events to tell)")
                } else if mask & UInt32(IN_IGNORED) != 0 {
                    continue   // the watch went with its path, whose removal is reported
                } else if wd == parentWatch {
                    if eventName == name { seen.append("\(Self.describe(mask)) \(path)") }
                } else if let watched = watches[wd] {
                    seen.append("\(Self.describe(mask)) \(eventName.isEmpty ? watched : watched + "/" + eventName)")
                }
            }
        }
        return seen
    }

    private static func describe(_ mask: UInt32) -> String {
        let names: [(Int32, String)] = [
            (IN_ACCESS, "ACCESS"), (IN_MODIFY, "MODIFY"), (IN_ATTRIB, "ATTRIB"), (IN_CLOSE_WRITE, "CLOSE_WRITE"),
            (IN_CLOSE_NOWRITE, "CLOSE_NOWRITE"), (IN_OPEN, "OPEN"), (IN_MOVED_FROM, "MOVED_FROM"),
            (IN_MOVED_TO, "MOVED_TO"), (IN_CREATE, "CREATE"), (IN_DELETE, "DELETE"),
            (IN_DELETE_SELF, "DELETE_SELF"), (IN_MOVE_SELF, "MOVE_SELF"), (IN_Q_OVERFLOW, "OVERFLOW"),
        ]
        let set = names.filter { mask & UInt32($0.0) != 0 }.map(\.1)
        return set.isEmpty ? "EVENT(\(mask))" : set.joined(separator: "|")
    }
}
