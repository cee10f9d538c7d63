import Glibc

/// A network namespace's cookie: a 64-bit number the kernel gives each namespace when it is
/// created and never gives another until the machine reboots. Unlike the namespace file's
/// inode, which the kernel hands to the next namespace as soon as one dies, it tells a live
/// container from a dead one whose records were left behind.
public enum NamespaceCookie {
    /// `SO_NETNS_COOKIE` (Linux 5.14): the cookie of the namespace a socket was opened in.
    static let socketOption: Int32 = 71

    /// The cookie of the namespace `fd` (any socket) was opened in.
    static func of(socket fd: Int32) throws -> UInt64 {
        var cookie: UInt64 = 0
        var length = socklen_t(MemoryLayout<UInt64>.size)
        guard getsockopt(fd, SOL_SOCKET, socketOption, &cookie, &length) == 0 else {
            throw NetlinkError(errno: errno, operation: "read network namespace cookie")
        }
        return cookie
    }
}

extension NetworkNamespace {
    /// The namespace's cookie (see ``NamespaceCookie``), read from a throwaway socket opened
    /// inside it: for the rare paths that have no session there (about 10 µs).
    public func cookie() throws -> UInt64 {
        let fd = try briefly { () throws -> Int32 in
            let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw NetlinkError(errno: errno, operation: "open a socket in \(path)") }
            return fd
        }
        defer { close(fd) }
        return try NamespaceCookie.of(socket: fd)
    }
}

extension NetlinkSocket {
    /// The cookie of the namespace this socket was opened in (one `getsockopt`).
    public func namespaceCookie() throws -> UInt64 {
        try NamespaceCookie.of(socket: fd)
    }
}

extension RouteSession {
    /// The cookie of the namespace this session talks to, or nil for a session whose transport
    /// is not a socket (tests).
    public func namespaceCookie() throws -> UInt64? {
        guard let socket = transportSocket else { return nil }
        return try socket.namespaceCookie()
    }
}
