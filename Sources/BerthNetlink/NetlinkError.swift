import Glibc

/// A failed netlink or namespace operation.
public struct NetlinkError: Error, CustomStringConvertible, Sendable {
    /// The positive errno the kernel returned.
    public let errno: Int32
    /// What Berth was doing, e.g. "create veth bv12ab to eth0".
    public let operation: String
    /// The kernel's extended-ack message, when it gave one.
    public let kernelMessage: String?

    public init(errno: Int32, operation: String, kernelMessage: String? = nil) {
        self.errno = errno
        self.operation = operation
        self.kernelMessage = kernelMessage
    }

    /// True for EEXIST.
    public var alreadyExists: Bool { errno == EEXIST }
    /// True when the object was not there (ENODEV, ENOENT, ESRCH, EADDRNOTAVAIL).
    public var notFound: Bool { [ENODEV, ENOENT, ESRCH, EADDRNOTAVAIL].contains(errno) }
    /// True for EPERM/EACCES: the caller lacks CAP_NET_ADMIN.
    public var permissionDenied: Bool { errno == EPERM || errno == EACCES }

    public var description: String {
        let reason = String(cString: strerror(errno))
        if let kernelMessage, !kernelMessage.isEmpty {
            return "\(operation): \(reason) (\(kernelMessage))"
        }
        return "\(operation): \(reason)"
    }
}
