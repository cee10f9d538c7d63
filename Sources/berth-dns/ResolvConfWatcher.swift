import BerthAddress
import BerthDNSCore
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// The host's nameservers from `$BERTH_RESOLV_CONF` (else `/etc/resolv.conf`), re-read when the
/// file's inode, size or mtime change, looked at no more than every 250 ms (docs/dns.md
/// "Forwarding"). Used on the event loop only, when a query is forwarded.
final class ResolvConfWatcher {
    let path: String
    private var lastCheck: NIODeadline?
    private var identity: [Int] = []
    private var servers: [IPAddress] = []

    static let checkInterval = TimeAmount.milliseconds(250)

    init(path: String) { self.path = path }

    func nameservers() -> [IPAddress] {
        let now = NIODeadline.now()
        if let lastCheck, now - lastCheck < Self.checkInterval { return servers }
        lastCheck = now
        var info = stat()
        guard stat(path, &info) == 0 else {
            if !identity.isEmpty { log("\(path): \(errnoText(errno)); no nameservers") }
            identity = []
            servers = []
            return servers
        }
        let current = [Int(info.st_dev), Int(info.st_ino), Int(info.st_size),
                       Int(info.st_mtim.tv_sec), Int(info.st_mtim.tv_nsec)]
        guard current != identity else { return servers }
        identity = current
        servers = ResolvConf.nameservers(in: Self.contents(of: path) ?? "")
        log("\(path): nameservers \(servers.map(\.description).joined(separator: " "))")
        return servers
    }

    /// The file's text (at most 64 KiB: a resolv.conf is a few lines).
    private static func contents(of path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 65536)
        var count = 0
        while count < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            count += n
        }
        return String(decoding: bytes[..<count], as: UTF8.self)
    }
}
