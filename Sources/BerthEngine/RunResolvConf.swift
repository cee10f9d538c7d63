import BerthAddress
import Glibc

/// The `resolv.conf` of a `berth run` command on a network with a name service: the network's
/// gateways as name servers and its domain to search, in a private temporary directory, to be
/// bind-mounted over `/etc/resolv.conf` in the command's own mount namespace (the host's file
/// is never touched). Removed when the command is done.
public struct RunResolvConf: Sendable {
    /// The file.
    public let path: String
    private let directory: String

    /// The file's text for `network` (nil when it has no name service).
    static func text(for network: NetworkInfo) -> String? {
        guard network.dns, !network.nameservers.isEmpty else { return nil }
        var text = "# berth run: the name service of network '\(network.name)'\n"
        for server in network.nameservers { text += "nameserver \(server)\n" }
        text += "search \(network.dnsDomain)\n"
        return text
    }

    /// Writes the file for `network`; nil when the network has no name service.
    public static func write(for network: NetworkInfo) throws -> RunResolvConf? {
        guard let text = text(for: network) else { return nil }
        var template = Array("/tmp/berth-run-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw BerthError.system("cannot create a temporary directory for resolv.conf: \(String(cString: strerror(errno)))")
        }
        let directory = String(cString: made)
        let path = directory + "/resolv.conf"
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            rmdir(directory)
            throw BerthError.system("cannot write \(path): \(reason)")
        }
        let written = text.utf8CString.withUnsafeBufferPointer { Glibc.write(fd, $0.baseAddress, $0.count - 1) }
        close(fd)
        let file = RunResolvConf(path: path, directory: directory)
        guard written == text.utf8.count else {
            file.remove()
            throw BerthError.system("cannot write \(path)")
        }
        return file
    }

    /// Removes the file and its directory.
    public func remove() {
        unlink(path)
        rmdir(directory)
    }
}
