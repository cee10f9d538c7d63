import Glibc

/// Small, allocation-light file helpers for /proc, /sys and /etc (FoundationEssentials has no
/// cheap way to read a procfs file, and these are on the hot path).
enum SystemFile {
    /// Reads a whole (small) file as text.
    static func read(_ path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw BerthError.system("cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            result += chunk[0..<n]
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// The names in a directory (without `.` and `..`); empty when it cannot be read (a process
    /// that has gone from /proc meanwhile).
    static func entries(of directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }

    /// The target of a symbolic link, or nil.
    static func linkTarget(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        let n = readlink(path, &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Writes `value` to an existing file (a sysctl); returns false when the file is missing.
    @discardableResult
    static func write(_ path: String, _ value: String) throws -> Bool {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return false }
            throw BerthError.system("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let bytes = Array(value.utf8)
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard n == bytes.count else { throw BerthError.system("cannot write \(path): \(String(cString: strerror(errno)))") }
        return true
    }
}

/// Kernel parameters Berth needs on the path of container traffic. They are per network
/// namespace, so they change only the namespace Berth runs in.
enum Sysctl {
    /// Turns on IPv4 forwarding unless it is on already (a write resets per-interface settings
    /// in some kernels, so it is only written when needed).
    static func enableIPv4Forwarding() throws {
        let path = "/proc/sys/net/ipv4/ip_forward"
        if (try? SystemFile.read(path))?.hasPrefix("1") == true { return }
        try SystemFile.write(path, "1")
    }

    /// Per-bridge settings: `route_localnet` so 127.0.0.1 can be DNAT-ed to containers, and no
    /// router advertisements accepted on the bridge.
    static func configureBridge(_ bridge: String) throws {
        try SystemFile.write("/proc/sys/net/ipv4/conf/\(bridge)/route_localnet", "1")
        try SystemFile.write("/proc/sys/net/ipv6/conf/\(bridge)/accept_ra", "0")
    }
}
