import Glibc

/// Coordinates state-changing commands with `berth gc`.
///
/// Every command that changes networks or endpoints holds a *shared* `flock` on
/// `DIR/operations.lock` for its whole run; `gc` takes it *exclusively*. So while gc holds it,
/// no other berth process is between its steps, and any endpoint still marked `creating` or
/// `removing` belongs to a process that died (the kernel drops a dead process's locks; there
/// is no PID to be reused or misread).
public final class OperationLock {
    private let fd: Int32

    /// How the lock is held.
    public enum Mode {
        /// Many commands at once.
        case shared
        /// Alone (garbage collection and repair).
        case exclusive
    }

    /// Opens `DIR/FILE` (`operations.lock` unless another lock of the same kind is meant) and
    /// takes it in `mode`, waiting for conflicting holders.
    public init(directory: String, mode: Mode, file: String = "operations.lock") throws {
        let path = directory.hasSuffix("/") ? directory + file : directory + "/" + file
        // Never through a link (see `StateDirectoryPolicy`); never blocking on a FIFO.
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o600)
        guard fd >= 0 else {
            throw StoreError.sqlite(code: 14, message: "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        let operation = mode == .shared ? LOCK_SH : LOCK_EX
        while flock(fd, operation) != 0 {
            if errno == EINTR { continue }
            let e = errno
            close(fd)
            throw StoreError.sqlite(code: 14, message: "cannot lock \(path): \(String(cString: strerror(e)))")
        }
    }

    /// The locked descriptor, for a detached child that finishes this command's work and must
    /// keep `berth gc` waiting until it is done (see ``DetachedChild``).
    public var descriptor: Int32 { fd }

    deinit { close(fd) }
}
