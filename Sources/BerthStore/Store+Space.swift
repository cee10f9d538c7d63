import Glibc

extension Store {
    /// Free space below which a state file system counts as full: an attach appends a few WAL
    /// frames of ~1 KiB each, a network creation a few more, and SQLite may have to grow its
    /// shared-memory index by 32 KiB.
    static let minimumFreeBytes: UInt64 = 64 * 1024

    /// Why commits to the store in `directory` would fail right now — its file system is mounted
    /// read-only or (nearly) full — or nil when they can be made. Changes nothing, so CNI STATUS
    /// can ask: otherwise it would answer "ready" while every ADD fails.
    public static func writeProblem(directory: String) -> String? {
        var fs = statvfs()
        guard statvfs(directory, &fs) == 0 else { return nil }   // the open already told
        if fs.f_flag & UInt(ST_RDONLY) != 0 {
            return "the state directory \(directory) is on a read-only file system"
        }
        // Root (as berth runs) may also write into the blocks reserved for it (5% on ext4).
        let blocks = geteuid() == 0 ? fs.f_bfree : fs.f_bavail
        let free = UInt64(blocks) * UInt64(fs.f_frsize)
        if free < minimumFreeBytes {
            return "the state directory \(directory) has \(free / 1024) KiB left (needs \(minimumFreeBytes / 1024) KiB)"
        }
        return nil
    }
}
