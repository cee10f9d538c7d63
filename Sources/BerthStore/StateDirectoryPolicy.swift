import Glibc

/// What Berth requires of a state directory it did not create: root's Berth keeps addresses,
/// labels and lock files there and acts on them, so nobody else may be able to change them.
enum StateDirectoryPolicy {
    /// Refuses a directory owned by another user, or writable by its group or by others: either
    /// could plant links or files that Berth, as root, would follow or trust.
    static func check(_ info: stat, path: String) throws {
        let owner = geteuid()
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw StoreError.unsafeStateDirectory("state directory \(path) is not a directory")
        }
        if info.st_uid != owner {
            throw StoreError.unsafeStateDirectory(
                "state directory \(path) is owned by uid \(info.st_uid), not by uid \(owner) that runs berth; "
                    + "fix: chown \(owner) \(path) && chmod 700 \(path), or use another state directory")
        }
        if info.st_mode & 0o022 != 0 {
            throw StoreError.unsafeStateDirectory(
                "state directory \(path) is writable by other users (mode \(String(info.st_mode & 0o7777, radix: 8))); "
                    + "fix: chmod go-w \(path)")
        }
    }

    /// Makes the database file at `path` private before SQLite opens it: creates it (0600,
    /// exclusively, never through a link) when missing, or takes group and other permissions
    /// off it and its WAL and shared-memory files when a Berth from before version 3 made them
    /// with the umask's mode (0644: every user could read the labels). SQLite gives the files
    /// it makes later the database file's mode.
    ///
    /// Only before the open: closing any descriptor of a file drops every POSIX lock this
    /// process holds on it, and SQLite's locks on the database are exactly those. One `lstat`
    /// when nothing is to be done.
    static func prepareDatabaseFile(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if fd >= 0 { close(fd) }
            return
        }
        guard info.st_mode & S_IFMT == S_IFREG, info.st_mode & 0o077 != 0 else { return }
        for file in [path, path + "-wal", path + "-shm"] {
            let fd = open(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
            guard fd >= 0 else { continue }
            _ = fchmod(fd, 0o600)
            close(fd)
        }
    }
}
