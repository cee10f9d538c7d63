import Glibc

/// The interface of this namespace's IPv4 default route: a macvlan network without
/// `network_interface` hangs off it, as with netavark. Read from `/proc/net/route` (this
/// process's namespace), only for such a network.
enum DefaultRouteInterface {
    /// The interface of the default route with the lowest metric, or nil when there is none.
    static func find() -> String? {
        guard let text = readFile("/proc/net/route") else { return nil }
        return parse(text)
    }

    /// `/proc/net/route`'s text: a header line, then `Iface Destination Gateway Flags RefCnt Use
    /// Metric Mask …`, hexadecimal and tab-separated; a default route has destination and mask 0.
    static func parse(_ text: String) -> String? {
        var best: (name: String, metric: Int)?
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(whereSeparator: { $0 == "\t" || $0 == " " })
            guard f.count >= 8, f[1] == "00000000", f[7] == "00000000",
                  let flags = Int(f[3], radix: 16), flags & 0x1 != 0,   // RTF_UP
                  let metric = Int(f[6]) else { continue }
            if best == nil || metric < best!.metric { best = (String(f[0]), metric) }
        }
        return best?.name
    }

    private static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 { bytes.append(contentsOf: chunk[0..<n]); continue }
            if n < 0 && errno == EINTR { continue }
            break
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
