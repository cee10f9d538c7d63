import BerthAddress
/// Input checks shared by every front end, so the CLI and CNI reject the same things the same way.
public enum Validation {
    /// Network names: 1–64 characters, starting alphanumeric, then alphanumerics, `-`, `_`, `.`.
    /// (They name chains and files indirectly, so no slashes, spaces or quotes.)
    public static func networkName(_ name: String) throws {
        guard isToken(name, maxLength: 64) else {
            throw BerthError.invalidArgument(
                "invalid network name '\(printable(name))': use 1-64 letters, digits, '-', '_' or '.', starting with a letter or digit")
        }
    }

    /// Interface names: 1–15 bytes (IFNAMSIZ-1), no `/`, `:` or whitespace, not `.` or `..`.
    public static func interfaceName(_ name: String, what: String = "interface name") throws {
        if name.utf8.count > 15 {
            throw BerthError.invalidArgument("\(what) '\(printable(name))' is longer than 15 bytes")
        }
        guard !name.isEmpty, name != ".", name != "..",
              name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: ":") && $0 != UInt8(ascii: "\"") })
        else {
            throw BerthError.invalidArgument("invalid \(what) '\(printable(name))'")
        }
        // The kernel keeps these names for its per-interface settings (net.ipv4.conf.all, …).
        if name == "all" || name == "default" {
            throw BerthError.invalidArgument("\(what) '\(name)' is reserved by the kernel")
        }
    }

    /// Container names/ids recorded with an endpoint: 1–256 printable ASCII characters.
    public static func containerName(_ name: String) throws {
        guard !name.isEmpty, name.utf8.count <= 256, name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
            throw BerthError.invalidArgument("invalid container name '\(printable(name))': use 1-256 printable characters without spaces")
        }
    }

    static func isToken(_ s: String, maxLength: Int) -> Bool {
        guard let first = s.utf8.first, s.utf8.count <= maxLength, isAlnum(first) else { return false }
        return s.utf8.allSatisfy { isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") }
    }

    static func isAlnum(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
    }

    /// A bounded, printable rendering of user input for error messages.
    public static func printable(_ s: String) -> String {
        let clean = String(s.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7f ? Character($0) : "?" })
        return clean.count > 40 ? String(clean.prefix(40)) + "…" : clean
    }
}

extension Validation {
    /// Refuses an IPv6 subnet no container network can use: too small to hold the gateway, the
    /// subnet-router anycast address and a container (longer than /126), or in a block with
    /// another purpose (multicast, link-local, loopback, IPv4-mapped, unspecified).
    static func ipv6Subnet(_ subnet: IPv6Subnet) throws {
        if subnet.prefixLength > 126 {
            throw BerthError.invalidArgument("subnet \(subnet) is too small: use /126 or larger (/64 is usual)")
        }
        let first = subnet.network
        let special: String? =
            first.isMulticast ? "multicast (ff00::/8)"
            : first.isLinkLocal ? "link-local (fe80::/10)"
            : first.high == 0 && first.low >> 32 == 0xFFFF ? "IPv4-mapped (::ffff:0:0/96)"
            : first.high == 0 ? "reserved (::/64: loopback, unspecified, IPv4-compatible)"
            : nil
        if let special {
            throw BerthError.invalidArgument("subnet \(subnet) lies in the \(special) block: choose a unique local (fd00::/8) or global prefix")
        }
    }
}
