import Glibc

/// Whether IPv6 works in this process's network namespace (the host's, for Podman): the
/// kernel has it and `net.ipv6.conf.all.disable_ipv6` is not set. Read only when a network
/// asks for IPv6.
enum HostIPv6 {
    static func isEnabled() -> Bool {
        // /proc/sys/net shows the namespace of the process that reads it.
        let fd = open("/proc/sys/net/ipv6/conf/all/disable_ipv6", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }   // no IPv6 in this kernel
        defer { close(fd) }
        var byte: UInt8 = 0
        guard read(fd, &byte, 1) == 1 else { return false }
        return byte == UInt8(ascii: "0")
    }
}
