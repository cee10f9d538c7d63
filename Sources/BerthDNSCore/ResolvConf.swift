import BerthAddress

/// Nameservers of a resolv.conf file's text: `nameserver` lines, IPv4 and IPv6 (a `%zone` suffix
/// dropped), in order, duplicates removed; comments (# and ;) and other lines ignored.
public enum ResolvConf {
    /// The servers named, as glibc reads them: the keyword first on its line, the address the
    /// next word; anything after it is ignored. Unparsable addresses are skipped.
    public static func nameservers(in text: String) -> [IPAddress] {
        var servers: [IPAddress] = []
        for line in text.utf8.split(whereSeparator: { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }) {
            let words = line.split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") })
            guard words.count >= 2, words[0].elementsEqual("nameserver".utf8) else { continue }
            // `fe80::1%eth0`: the zone names an interface of the host, meaningless here.
            let word = words[1].split(separator: UInt8(ascii: "%"), maxSplits: 1, omittingEmptySubsequences: false)[0]
            guard let address = IPAddress(String(decoding: word, as: UTF8.self)),
                  !servers.contains(address) else { continue }
            servers.append(address)
        }
        return servers
    }
}
