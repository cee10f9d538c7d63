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

/// IPv6 on the links Berth creates. Berth's networks are IPv4 only, so both ends of a veth come
/// up without an IPv6 link-local address (`addrgenmode none`): the kernel then runs no duplicate
/// address detection, multicast reports or router solicitations for them, background work that
/// competes with the next attach for the rtnl lock. Set through netlink, not the `disable_ipv6`
/// sysctl, whose path lookup under /proc/sys grows with the number of network namespaces.
enum IPv6 {
    /// Whether the kernel has IPv6 at all (not booted with `ipv6.disable=1`, not built without).
    static let available = access("/proc/sys/net/ipv6", F_OK) == 0

    /// Whether `addrgenmode none` can be set on a link of this MTU (0: the default). Not without
    /// IPv6 in the kernel, nor below IPv6's minimum MTU of 1280: the kernel keeps no IPv6 state
    /// for such a link (so it has no addresses to skip) and refuses the setting.
    static func canSkipAddresses(mtu: Int) -> Bool {
        available && (mtu == 0 || mtu >= 1280)
    }
}
