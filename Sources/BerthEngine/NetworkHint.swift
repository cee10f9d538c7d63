import BerthStore
import Glibc

/// What connect needs of a network to create a container's interface before the store has
/// answered: the network id (which names the veths' device group), its device (the bridge),
/// the MTU, the driver that made it and the firewall that renders its rules — and for a macvlan
/// network its parent interface and mode.
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

    init(id: String, device: String, mtu: Int, driver: String = "bridge", firewall: String = "nftables",
         parent: String = "", mode: String = "") {
        self.id = id
        self.device = device
        self.mtu = mtu
        self.driver = driver
        self.firewall = firewall
        self.parent = parent
        self.mode = mode
    }

    /// The hint for a stored network.
    init(_ network: NetworkRecord) {
        self.init(id: network.id, device: network.bridge, mtu: network.mtu, driver: network.driver,
                  firewall: network.firewall, parent: network.parent, mode: network.driverOptions["mode"] ?? "")
    }

    /// Parses the file's one line, `ID DEVICE MTU DRIVER FIREWALL [PARENT MODE]` (or `ID DEVICE
    /// MTU`, as Berth wrote it before networks recorded their drivers: a bridge with nftables);
    /// nil for anything else. Scans the bytes by hand: `split` builds an array of substrings, whose
    /// first use costs a fresh process more than reading the file.
    init?(line: String) {
        let bytes = Array(line.utf8)
        var words: [Range<Int>] = []
        var start = 0
        for i in 0...bytes.count where i == bytes.count || bytes[i] == UInt8(ascii: " ") {
            guard i > start else { return nil }
            words.append(start..<i)
            start = i + 1
        }
        guard [3, 5, 7].contains(words.count), words[1].count <= 15, words.count < 7 || words[5].count <= 15 else { return nil }
        var mtu = 0
        for byte in bytes[words[2]] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), mtu < 1_000_000 else { return nil }
            mtu = mtu * 10 + Int(byte - UInt8(ascii: "0"))
        }
        func text(_ r: Range<Int>) -> String { String(decoding: bytes[r], as: UTF8.self) }
        self.init(id: text(words[0]), device: text(words[1]), mtu: mtu,
                  driver: words.count >= 5 ? text(words[3]) : "bridge",
                  firewall: words.count >= 5 ? text(words[4]) : "nftables",
                  parent: words.count == 7 ? text(words[5]) : "",
                  mode: words.count == 7 && text(words[6]) != "-" ? text(words[6]) : "")
    }

    /// The file's contents: the parent and mode only for a network with a parent (the mode `-`
    /// when not given), so a bridge network's line is as before.
    var line: String {
        let base = "\(id) \(device) \(mtu) \(driver) \(firewall)"
        return parent.isEmpty ? base + "\n" : base + " \(parent) \(mode.isEmpty ? "-" : mode)\n"
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
        var buffer = [UInt8](repeating: 0, count: 128)
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
