import BerthAddress
import BerthIPAM
import BerthStore
import Glibc

/// What connect needs of a network to create a container's interface before the store has
/// answered: the network id (which names the veths' device group), its device (the bridge),
/// the MTU, the driver that made it and the firewall that renders its rules — and for a macvlan
/// network its parent interface and mode. Its subnets and gateways too, so a connect that
/// brings its own address (Podman always does) can tell before the store answers that the
/// network would refuse it, and make no interface for it (``admits(address:address6:)``).
///
/// A copy is kept beside the store, one small file per network (`STATE/hints/NAME`), so a
/// connect can have the kernel create the veth while a second thread opens SQLite and reserves
/// the address: opening the store (SQLite reads its schema, rebuilds its WAL index) takes about
/// as long as the kernel's half, and the two no longer wait for each other.
///
/// The copy is never trusted: connect compares it with the store's record once both halves are
/// done, and a stale or damaged hint only costs redoing the veth on the right bridge. Network
/// create writes it, network removal deletes it, and a connect that found it missing or stale
/// writes it afresh.
struct NetworkHint: Equatable, Sendable {
    let id: String
    let device: String
    let mtu: Int
    let driver: String
    let firewall: String
    /// The interface a macvlan network's links hang off; empty for a bridge network.
    let parent: String
    /// A macvlan network's mode (`driverOptions["mode"]`); empty when not given.
    let mode: String
    /// The IPv4 subnet and gateway; nil for a network without IPv4 (or a hint written before
    /// hints carried them).
    let ipv4: Addressing<IPv4Subnet, IPv4Address>?
    /// The IPv6 subnet and gateway; nil for a network without IPv6 (or an older hint).
    let ipv6: Addressing<IPv6Subnet, IPv6Address>?

    /// A subnet and its gateway.
    struct Addressing<Subnet: Equatable & Sendable, Address: Equatable & Sendable>: Equatable, Sendable {
        let subnet: Subnet
        let gateway: Address
    }

    init(id: String, device: String, mtu: Int, driver: String = "bridge", firewall: String = "nftables",
         parent: String = "", mode: String = "",
         ipv4: Addressing<IPv4Subnet, IPv4Address>? = nil, ipv6: Addressing<IPv6Subnet, IPv6Address>? = nil) {
        self.id = id
        self.device = device
        self.mtu = mtu
        self.driver = driver
        self.firewall = firewall
        self.parent = parent
        self.mode = mode
        self.ipv4 = ipv4
        self.ipv6 = ipv6
    }

    /// The hint for a stored network.
    init(_ network: NetworkRecord) {
        self.init(id: network.id, device: network.bridge, mtu: network.mtu, driver: network.driver,
                  firewall: network.firewall, parent: network.parent, mode: network.driverOptions["mode"] ?? "",
                  ipv4: network.subnet.flatMap { s in network.gateway.map { Addressing(subnet: s, gateway: $0) } },
                  ipv6: network.subnet6.flatMap { s in network.gateway6.map { Addressing(subnet: s, gateway: $0) } })
    }

    /// Whether the interface the hint describes is the one the store's record describes: the
    /// same device, group, MTU, driver and firewall (the addressing does not change the
    /// interface, so a hint that only lacks it — written by an older Berth — needs no redo).
    func makesSameInterface(as other: NetworkHint) -> Bool {
        id == other.id && device == other.device && mtu == other.mtu && driver == other.driver
            && firewall == other.firewall && parent == other.parent && mode == other.mode
    }

    /// Whether the network, as the hint describes it, takes these static addresses: each in its
    /// family's subnet and none of the subnet's reserved ones (the checks the store's half makes
    /// again, with whether the address is free). False when the hint does not know the family's
    /// subnet: then the store must be asked first.
    func admits(address: IPv4Address?, address6: IPv6Address?) -> Bool {
        if let address {
            guard let ipv4, (try? AddressAllocator.validateStatic(address, subnet: ipv4.subnet, gateway: ipv4.gateway)) != nil else { return false }
        }
        if let address6 {
            guard let ipv6, (try? AddressAllocator6.validateStatic(address6, subnet: ipv6.subnet, gateway: ipv6.gateway)) != nil else { return false }
        }
        return true
    }

    /// Parses the file's one line, `ID DEVICE MTU DRIVER FIREWALL [PARENT MODE] [ip4=SUBNET@GATEWAY]
    /// [ip6=SUBNET@GATEWAY]` (or `ID DEVICE MTU`, as Berth wrote it before networks recorded
    /// their drivers: a bridge with nftables); nil for anything else. Scans the bytes by hand:
    /// `split` builds an array of substrings, whose first use costs a fresh process more than
    /// reading the file.
    init?(line: String) {
        let bytes = Array(line.utf8)
        var words: [Range<Int>] = []
        var start = 0
        for i in 0...bytes.count where i == bytes.count || bytes[i] == UInt8(ascii: " ") {
            guard i > start else { return nil }
            words.append(start..<i)
            start = i + 1
        }
        func text(_ r: Range<Int>) -> String { String(decoding: bytes[r], as: UTF8.self) }
        // The addressing words come last and are tagged `ip4=`/`ip6=`. The word before them is
        // the firewall or a macvlan's mode, neither of which holds `=`, so an interface name
        // (which may) is never mistaken for one.
        var ipv4: Addressing<IPv4Subnet, IPv4Address>?
        var ipv6: Addressing<IPv6Subnet, IPv6Address>?
        while let last = words.last, last.count > 4, bytes[last.lowerBound + 3] == UInt8(ascii: "=") {
            let tag = text(last.lowerBound..<last.lowerBound + 3)
            let value = last.lowerBound + 4..<last.upperBound
            guard let at = bytes[value].firstIndex(of: UInt8(ascii: "@")) else { return nil }
            let subnet = text(value.lowerBound..<at), gateway = text(at + 1..<value.upperBound)
            switch tag {
            case "ip4" where ipv4 == nil:
                guard let s = IPv4Subnet(subnet), let g = IPv4Address(gateway) else { return nil }
                ipv4 = Addressing(subnet: s, gateway: g)
            case "ip6" where ipv6 == nil:
                guard let s = IPv6Subnet(subnet), let g = IPv6Address(gateway) else { return nil }
                ipv6 = Addressing(subnet: s, gateway: g)
            default:
                return nil
            }
            words.removeLast()
        }
        guard [3, 5, 7].contains(words.count), words[1].count <= 15, words.count < 7 || words[5].count <= 15 else { return nil }
        var mtu = 0
        for byte in bytes[words[2]] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), mtu < 1_000_000 else { return nil }
            mtu = mtu * 10 + Int(byte - UInt8(ascii: "0"))
        }
        self.init(id: text(words[0]), device: text(words[1]), mtu: mtu,
                  driver: words.count >= 5 ? text(words[3]) : "bridge",
                  firewall: words.count >= 5 ? text(words[4]) : "nftables",
                  parent: words.count == 7 ? text(words[5]) : "",
                  mode: words.count == 7 && text(words[6]) != "-" ? text(words[6]) : "",
                  ipv4: ipv4, ipv6: ipv6)
    }

    /// The file's contents: the parent and mode only for a network with a parent (the mode `-`
    /// when not given), then the addressing of each family the network has.
    var line: String {
        var line = "\(id) \(device) \(mtu) \(driver) \(firewall)"
        if !parent.isEmpty { line += " \(parent) \(mode.isEmpty ? "-" : mode)" }
        if let ipv4 { line += " ip4=\(ipv4.subnet)@\(ipv4.gateway)" }
        if let ipv6 { line += " ip6=\(ipv6.subnet)@\(ipv6.gateway)" }
        return line + "\n"
    }

    /// The hint file of a network (names are validated: letters, digits, `-`, `_`, `.`).
    static func path(network: String, directory: String) -> String {
        hintsFolder(directory: directory) + "/" + network
    }

    /// The folder of the hint files.
    static func hintsFolder(directory: String) -> String {
        (directory.hasSuffix("/") ? directory : directory + "/") + "hints"
    }

    /// The saved hint of `network`, or nil when there is none (or it cannot be read or parsed).
    /// Read before the store has checked the state directory, so it checks first that the
    /// directory and its `hints` are this user's alone (two `lstat`s): a hint planted by someone
    /// else could put a container's veth on any bridge until the store's answer undoes it.
    static func load(network: String, directory: String) -> NetworkHint? {
        guard (try? StateDirectoryPolicy.check(directory)) != nil,
              StateDirectoryPolicy.isPrivateDirectory(hintsFolder(directory: directory)) else { return nil }
        // Read before the store has checked the directory: never through a link, never blocking.
        let fd = open(path(network: network, directory: directory), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0, count < buffer.count, buffer[count - 1] == UInt8(ascii: "\n") else { return nil }
        return NetworkHint(line: String(decoding: buffer[..<(count - 1)], as: UTF8.self))
    }

    /// Saves the hint of `network` (best effort: a missing hint only makes connects sequential).
    /// Written to a temporary file and renamed, so a reader never sees half a line.
    static func save(_ network: NetworkRecord, directory: String) {
        let final = path(network: network.name, directory: directory)
        let folder = hintsFolder(directory: directory)
        if mkdir(folder, 0o700) != 0 && errno != EEXIST { return }
        // Never into a `hints` that is a link or someone else's (O_NOFOLLOW below only covers
        // the file's own name).
        guard StateDirectoryPolicy.isPrivateDirectory(folder) else { return }
        let temporary = final + ".\(getpid()).tmp"
        // Created exclusively, never through a link: whatever sits at that name (a crashed
        // process's leftover, or a planted link) is removed — the link itself, not its target.
        var fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if fd < 0 && errno == EEXIST {
            unlink(temporary)
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        }
        guard fd >= 0 else { return }
        var text = NetworkHint(network).line
        let written = text.withUTF8 { write(fd, $0.baseAddress, $0.count) == $0.count }
        close(fd)
        if !written || rename(temporary, final) != 0 { unlink(temporary) }
    }

    /// Saves the hint unless the saved one already matches.
    static func refresh(_ network: NetworkRecord, directory: String) {
        if load(network: network.name, directory: directory) != NetworkHint(network) {
            save(network, directory: directory)
        }
    }

    /// Deletes the hint of `network`, if any.
    static func remove(network: String, directory: String) {
        unlink(path(network: network, directory: directory))
    }
}
