import Glibc

/// What Berth requires of a state directory it did not create: root's Berth keeps addresses,
/// labels and lock files there and acts on them, so nobody else may be able to change them.
public enum StateDirectoryPolicy {
    /// Refuses a directory owned by another user, or writable by its group or by others: either
    /// could plant links or files that Berth, as root, would follow or trust. The path may be a
    /// link (`/var/lib/berth` → `/data/berth`), but only one of this user's own: a link someone
    /// else planted where the directory was expected (in `/tmp`, say) could point anywhere.
    /// One `lstat` when the path is the directory itself.
    public static func check(_ path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            throw StoreError.unsafeStateDirectory("cannot read state directory \(path): \(String(cString: strerror(errno)))")
        }
        if info.st_mode & S_IFMT == S_IFLNK {
            if info.st_uid != geteuid() {
                throw StoreError.unsafeStateDirectory(
                    "state directory \(path) is a link owned by uid \(info.st_uid), not by uid \(geteuid()) that runs berth; "
                        + "fix: remove the link, or use another state directory")
            }
            guard stat(path, &info) == 0 else {
                throw StoreError.unsafeStateDirectory("cannot read state directory \(path): \(String(cString: strerror(errno)))")
            }
        }
        try check(info, path: path)
    }

    /// True when `path` is a directory (not a link) that only this user can change: for the
    /// files Berth reads before its store has checked the state directory (network hints).
    public static func isPrivateDirectory(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (try? check(info, path: path)) != nil
    }

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
    ///
    /// A database that is a link is refused. (SQLite's own `SQLITE_OPEN_NOFOLLOW` would refuse a
    /// link anywhere in the path, a state directory reached through one included.) Only the
    /// directory's owner can put one there (``check(_:)``), so checking here is enough.
    public static func prepareDatabaseFile(_ path: String) throws {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if fd >= 0 { close(fd) }
            return
        }
        if info.st_mode & S_IFMT == S_IFLNK {
            throw StoreError.unsafeStateDirectory("\(path) is a link: berth does not follow links inside its state directory; remove it")
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
