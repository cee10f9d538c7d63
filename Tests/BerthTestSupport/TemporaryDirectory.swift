#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fresh directory under $TMPDIR (or /tmp), removed with everything in it by ``remove()``.
/// The one temporary directory of every test target: tests never write anywhere else.
public struct TemporaryDirectory: Sendable {
    /// The directory's absolute path.
    public let path: String

    /// Makes the directory, named `prefix` and six random characters. Traps if it cannot:
    /// a test without its directory could only fail confusingly later.
    public init(prefix: String = "berth-test") {
        let base = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        var template = Array("\(base)/\(prefix)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed: errno \(errno)")
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// Removes the directory and everything in it (`rm -rf`, without Foundation). Links are
    /// removed, never followed.
    public func remove() { Self.removeTree(path) }

    private static func removeTree(_ path: String) {
        for name in DirectoryEntries.names(path) ?? [] {
            let child = path + "/" + name
            var info = stat()
            if lstat(child, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR { removeTree(child) } else { unlink(child) }
        }
        rmdir(path)
    }
}

/// Reading a directory without Foundation.
public enum DirectoryEntries {
    /// The names in the directory at `path` (without "." and ".."), sorted; nil when it cannot be
    /// opened (it does not exist, or is not a directory, or is not readable).
    public static func names(_ path: String) -> [String]? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}
