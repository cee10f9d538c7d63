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

    /// Creates `path` for a database, private (0600) and without following a link, unless it
    /// exists. SQLite would create it with the umask's mode (0644: every user could read the
    /// labels); the WAL and shared-memory files it makes later copy the database file's mode.
    static func createPrivateFile(_ path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if fd >= 0 { close(fd) }
    }

    /// Takes group and other permissions off the files at `paths` that exist (for stores made
    /// before Berth kept them private), never following a link.
    static func makePrivate(_ paths: [String]) {
        for path in paths {
            let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
            guard fd >= 0 else { continue }
            _ = fchmod(fd, 0o600)
            close(fd)
        }
    }
}
