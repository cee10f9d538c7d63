import CBerthShim
import Glibc

/// Where netlink datagrams go and come from. ``NetlinkSocket`` is the real one; tests substitute
/// a recorder to compare request bytes exactly without root.
public protocol NetlinkTransport: AnyObject {
    /// Sends one datagram (it may hold several messages).
    func send(_ datagram: [UInt8]) throws
    /// Receives one datagram.
    func receive() throws -> [UInt8]
}

/// A blocking `NETLINK_ROUTE` socket. A socket stays bound to the network namespace it was
/// opened in, so work inside a container's namespace goes through a socket opened there
/// (see ``open(in:)``) rather than by moving the process between namespaces.
public final class NetlinkSocket: NetlinkTransport {
    /// The socket's file descriptor.
    public let fd: Int32
    /// The receive buffer: 64 KiB, so the kernel may fill dump replies generously, but left
    /// uninitialised, so only the pages a reply actually lands in are ever faulted in (zeroing it
    /// cost every socket sixteen page faults, a noticeable share of a connect).
    private let buffer: UnsafeMutableRawBufferPointer

    /// Opens a socket in the calling thread's current network namespace.
    public init() throws {
        let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NETLINK_ROUTE)
        guard fd >= 0 else { throw NetlinkError(errno: errno, operation: "open netlink socket") }
        var on: Int32 = 1
        // CAP_ACK: errors do not echo our whole request back; EXT_ACK: the kernel explains errors.
        _ = setsockopt(fd, NetlinkSocketOption.solNetlink, NetlinkSocketOption.capAck, &on, 4)
        _ = setsockopt(fd, NetlinkSocketOption.solNetlink, NetlinkSocketOption.extAck, &on, 4)
        // The kernel answers in microseconds; a reply that never comes is a bug to report, not
        // a reason to hang a container runtime forever.
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_nl()
        address.nl_family = sa_family_t(AF_NETLINK)
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_nl>.size))
            }
        }
        guard rc == 0 else {
            let e = errno
            close(fd)
            throw NetlinkError(errno: e, operation: "bind netlink socket")
        }
        // Only now is self complete (and its deinit responsible for the descriptor and buffer).
        self.fd = fd
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
    }

    /// Opens a socket inside `namespace`: the thread enters the namespace just long enough to
    /// create the socket and returns at once. Nothing else runs in between (no await, no
    /// callbacks), so no other code ever observes the thread in the foreign namespace.
    public static func open(in namespace: NetworkNamespace) throws -> NetlinkSocket {
        try namespace.briefly { try NetlinkSocket() }
    }

    deinit {
        close(fd)
        buffer.deallocate()
    }

    public func send(_ datagram: [UInt8]) throws {
        var address = sockaddr_nl()
        address.nl_family = sa_family_t(AF_NETLINK)
        let sent = datagram.withUnsafeBytes { raw in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, raw.baseAddress, raw.count, 0, $0, socklen_t(MemoryLayout<sockaddr_nl>.size))
                }
            }
        }
        guard sent == datagram.count else { throw NetlinkError(errno: errno, operation: "send netlink request") }
    }

    public func receive() throws -> [UInt8] {
        while true {
            // MSG_TRUNC makes recv report a datagram's real length, so one larger than the buffer
            // is an error instead of silently cut messages (the kernel's own replies stay far below).
            let count = recv(fd, buffer.baseAddress, buffer.count, Int32(MSG_TRUNC))
            if count < 0 {
                if errno == EINTR { continue }
                let operation = errno == EAGAIN ? "receive netlink reply (no answer from the kernel in 30 s)" : "receive netlink reply"
                throw NetlinkError(errno: errno, operation: operation)
            }
            guard count <= buffer.count else {
                throw NetlinkError(errno: EMSGSIZE, operation: "receive netlink reply of \(count) bytes")
            }
            return Array(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }
}
