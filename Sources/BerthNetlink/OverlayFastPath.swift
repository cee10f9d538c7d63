import BerthAddress
import CBerthShim
import Glibc

/// The kernel side of an overlay network's fast path (``OverlayFastPathPrograms``): loading and
/// attaching the two classifiers (TCX, Linux 6.6+) and the map of the host's containers.
///
/// Nothing is pinned: the kernel keeps what a device has attached until the device goes, so a
/// network's programs and map live exactly as long as its VXLAN device and bridge. A later
/// process finds both through the bridge (``open(bridgeIndex:)``): the out-of-containers program
/// sits on the bridge's *egress*, where it never matches (the host never sends a packet from
/// its block to another block into the bridge), as the holder every container's veth gets it
/// from. It runs on each container veth's ingress (a tc classifier), before the bridge: a host
/// that passes bridged traffic through netfilter (br_netfilter) would otherwise have conntrack's
/// NAT half undone on the packet before the program sees it.
///
/// The fast path only ever speeds up what the normal path does: a missing program or entry means
/// the packet takes the kernel's normal path, so every failure here costs speed, never traffic.
public enum OverlayFastPath {
    /// The program on the VXLAN device (into containers).
    public static let intoContainersName = "bov_in"
    /// The prefix of the out-of-containers program, followed by the VXLAN device's index it
    /// sends to: a device made again gets a new index and a new program.
    public static let outOfContainersPrefix = "bov_out_"

    /// The out-of-containers program's name for the VXLAN device `vxlanIndex`: the index in hex.
    /// A program name keeps 15 characters; seven hex digits reach index 268,435,455, where
    /// decimal stopped at 9,999,999 (a host that makes interfaces all day gets there) and the
    /// truncated name would never match again.
    public static func outOfContainersName(vxlanIndex: Int32) -> String {
        outOfContainersPrefix + String(UInt32(bitPattern: vxlanIndex), radix: 16)
    }
    /// BPF_TCX_INGRESS, BPF_TCX_EGRESS.
    static let tcxIngress: UInt32 = 46
    static let tcxEgress: UInt32 = 47

    /// One entry of the map: a container's address (the key) leads to its veth's host end, and
    /// the Ethernet addresses its frames carry on the bridge.
    public struct Entry: Equatable, Sendable {
        public let hostIndex: Int32
        public let container: MACAddress
        public let bridge: MACAddress

        public init(hostIndex: Int32, container: MACAddress, bridge: MACAddress) {
            self.hostIndex = hostIndex; self.container = container; self.bridge = bridge
        }

        /// The 16 bytes the program reads: the index (host order), then the two MACs.
        public var bytes: [UInt8] {
            withUnsafeBytes(of: hostIndex.littleEndian) { Array($0) } + container.bytes + bridge.bytes
        }

        public init?(bytes: [UInt8]) {
            guard bytes.count == 16, let c = MACAddress(bytes: bytes[4..<10]), let b = MACAddress(bytes: bytes[10..<16]) else { return nil }
            hostIndex = Int32(bytes[0]) | Int32(bytes[1]) << 8 | Int32(bytes[2]) << 16 | Int32(bytes[3]) << 24
            container = c; bridge = b
        }
    }

    /// The map's key for an address: its four bytes in network order.
    static func key(_ address: IPv4Address) -> [UInt8] { address.bytes }

    /// A program attached to an interface: its id, name and the maps it uses.
    struct Attached {
        let id: UInt32
        let name: String
        let mapIDs: [UInt32]
    }

    /// An open map (the descriptor is closed with the value).
    public final class Entries {
        let fd: Int32
        init(fd: Int32) { self.fd = fd }
        deinit { close(fd) }

        /// Adds or replaces the entry of `address`.
        public func set(_ address: IPv4Address, _ entry: Entry) throws {
            let r = key(address).withUnsafeBytes { k in entry.bytes.withUnsafeBytes { v in berth_bpf_map_update(fd, k.baseAddress, v.baseAddress) } }
            if r < 0 { throw NetlinkError(errno: -r, operation: "add \(address) to the overlay fast path") }
        }

        /// Removes the entry of `address`; an absent one is fine.
        public func remove(_ address: IPv4Address) throws {
            let r = key(address).withUnsafeBytes { berth_bpf_map_delete(fd, $0.baseAddress) }
            if r < 0 && -r != ENOENT { throw NetlinkError(errno: -r, operation: "remove \(address) from the overlay fast path") }
        }

        /// Every entry.
        public func all() throws -> [IPv4Address: Entry] {
            var out: [IPv4Address: Entry] = [:]
            var key = [UInt8](repeating: 0, count: 4), next = key, value = [UInt8](repeating: 0, count: 16)
            var first = true
            while true {
                let r = first ? next.withUnsafeMutableBytes { berth_bpf_map_next_key(fd, nil, $0.baseAddress) }
                              : key.withUnsafeBytes { k in next.withUnsafeMutableBytes { berth_bpf_map_next_key(fd, k.baseAddress, $0.baseAddress) } }
                if r == -ENOENT { return out }
                if r < 0 { throw NetlinkError(errno: -r, operation: "list the overlay fast path") }
                first = false
                key = next
                let l = key.withUnsafeBytes { k in value.withUnsafeMutableBytes { berth_bpf_map_lookup(fd, k.baseAddress, $0.baseAddress) } }
                if l == 0, let a = IPv4Address(bytes: key), let e = Entry(bytes: value) { out[a] = e }
            }
        }
    }

    /// The programs Berth attached to `ifindex` (TCX ingress); empty when none, or when the
    /// kernel cannot say (no TCX).
    static func attached(_ ifindex: Int32, egress: Bool = false) -> [Attached] {
        var ids = [UInt32](repeating: 0, count: 64)
        let n = ids.withUnsafeMutableBufferPointer { berth_bpf_query(ifindex, egress ? tcxEgress : tcxIngress, $0.baseAddress, 64) }
        guard n > 0 else { return [] }
        return ids.prefix(Int(n)).compactMap { id in
            let fd = berth_bpf_program_fd(id)
            guard fd >= 0 else { return nil }
            defer { close(fd) }
            var name = [CChar](repeating: 0, count: 16), maps = [UInt32](repeating: 0, count: 4)
            let m = name.withUnsafeMutableBufferPointer { nb in maps.withUnsafeMutableBufferPointer { berth_bpf_program_info(fd, nb.baseAddress, $0.baseAddress, 4) } }
            guard m >= 0 else { return nil }
            let text = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            guard text == intoContainersName || text.hasPrefix(outOfContainersPrefix) else { return nil }
            return Attached(id: id, name: text, mapIDs: Array(maps.prefix(Int(m))))
        }
    }

    /// A network's fast path as an attach uses it: the map, and the program for container veths.
    public final class Handle {
        public let entries: Entries
        let outProgramID: UInt32
        let outName: String
        init(entries: Entries, outProgramID: UInt32, outName: String) {
            self.entries = entries; self.outProgramID = outProgramID; self.outName = outName
        }

        /// Puts the out-of-containers program on a container veth's host end (its ingress, as a
        /// tc classifier: ``TrafficControlRequests``), replacing Berth's older one there. `fresh`:
        /// the veth was just made, so it has no qdisc yet and one round trip does.
        public func attach(toVeth index: Int32, session: RouteSession, fresh: Bool) throws {
            let fd = berth_bpf_program_fd(outProgramID)
            if fd < 0 { throw NetlinkError(errno: -fd, operation: "open the overlay fast path's \(outName)") }
            defer { close(fd) }
            let classifier = (TrafficControlRequests.setIngressClassifier(index: index, programFD: fd, name: outName),
                              "attach \(outName) to interface \(index)")
            let qdisc = (TrafficControlRequests.addClsact(index: index), "add a clsact qdisc to interface \(index)")
            if fresh {
                _ = try session.execute([qdisc, classifier])
                return
            }
            do { _ = try session.execute([qdisc]) } catch let e as NetlinkError where e.alreadyExists {}
            _ = try session.execute([classifier])
        }

        /// Whether a veth has this network's current program.
        public func isAttached(toVeth index: Int32, session: RouteSession) -> Bool {
            guard let replies = try? session.query(TrafficControlRequests.ingressClassifiers(index: index), "list classifiers of interface \(index)") else { return false }
            return TrafficControlRequests.programIDs(in: replies).contains(outProgramID)
        }
    }

    /// The fast path of the network whose bridge is `bridgeIndex`, or nil when it has none.
    public static func open(bridgeIndex: Int32) -> Handle? {
        guard let holder = attached(bridgeIndex, egress: true).first(where: { $0.name.hasPrefix(outOfContainersPrefix) }),
              let mapID = holder.mapIDs.first else { return nil }
        let fd = berth_bpf_map_fd(mapID)
        return fd >= 0 ? Handle(entries: Entries(fd: fd), outProgramID: holder.id, outName: holder.name) : nil
    }

    /// Removes Berth's program from a container veth (a fast path switched off); none is fine.
    public static func detach(fromVeth index: Int32, session: RouteSession) {
        _ = try? session.execute(TrafficControlRequests.removeIngressClassifier(index: index), "remove the fast path from interface \(index)")
    }

    /// Makes sure both programs are loaded for a network: the VXLAN device `vxlanIndex`, its
    /// bridge `bridgeIndex` (and `bridgeMAC`), the host's `block` of the `overlay`. Container
    /// veths get theirs through ``Handle/attach(toVeth:)``. The program on the VXLAN
    /// device and its map are kept when present (the map holds the attaches' entries); the
    /// bridge's is replaced when it sends to another index. Throws when the kernel refuses
    /// (no BPF, no TCX): the network then works without the fast path.
    public static func install(vxlanIndex: Int32, bridgeIndex: Int32, bridgeMAC: MACAddress, block: IPv4Subnet,
                               overlay: IPv4Subnet) throws {
        let onVXLAN = attached(vxlanIndex).filter { $0.name == intoContainersName }
        let outName = outOfContainersName(vxlanIndex: vxlanIndex)
        let onBridge = attached(bridgeIndex, egress: true).filter { $0.name.hasPrefix(outOfContainersPrefix) }
        // Two installs at once (the agent's reconcile and a gc) can each attach a set. Keep the
        // program whose map the bridge's current holder names (the map attaches write to), else
        // the first; the others go below, so the next install converges.
        let kept = onVXLAN.first { v in
            v.mapIDs.first != nil && onBridge.contains { $0.name == outName && $0.mapIDs.first == v.mapIDs.first }
        } ?? onVXLAN.first
        var mapFD: Int32 = -1
        var fresh = false
        if let id = kept?.mapIDs.first {
            mapFD = berth_bpf_map_fd(id)
        }
        if mapFD < 0 {
            let capacity = UInt32(min(block.size, 65536))
            mapFD = berth_bpf_hash_map_create(4, 16, capacity, "bov_containers")
            if mapFD < 0 { throw NetlinkError(errno: -mapFD, operation: "create the overlay fast path's map") }
            fresh = true
        }
        defer { close(mapFD) }   // the attached programs hold the map from here on
        if fresh {
            for stale in onVXLAN { detach(stale, from: vxlanIndex) }
            try attach(OverlayFastPathPrograms.intoContainers(mapFD: mapFD, overlay: overlay),
                       name: intoContainersName, to: vxlanIndex)
        } else {
            for extra in onVXLAN where extra.id != kept?.id { detach(extra, from: vxlanIndex) }
        }
        let mapID = fresh ? nil : kept?.mapIDs.first
        if let holder = mapID.flatMap({ id in onBridge.first { $0.name == outName && $0.mapIDs.first == id } }) {
            for extra in onBridge where extra.id != holder.id { detach(extra, from: bridgeIndex, egress: true) }
        } else {
            try attach(OverlayFastPathPrograms.outOfContainers(mapFD: mapFD, block: block, overlay: overlay, vxlanIndex: vxlanIndex,
                                                               bridgeIndex: bridgeIndex, gatewayMAC: bridgeMAC),
                       name: outName, to: bridgeIndex, egress: true)
            for old in onBridge { detach(old, from: bridgeIndex, egress: true) }
        }
    }

    /// Detaches Berth's programs from both devices and the given container veths (the map goes
    /// with the last of them).
    public static func uninstall(vxlanIndex: Int32, bridgeIndex: Int32, veths: [Int32], session: RouteSession) {
        for program in attached(vxlanIndex) { detach(program, from: vxlanIndex) }
        for program in attached(bridgeIndex, egress: true) { detach(program, from: bridgeIndex, egress: true) }
        for index in veths { detach(fromVeth: index, session: session) }
    }

    /// Whether both programs are attached, each once and sharing one map (what ``install``
    /// leaves), and how many entries the map has (nil without one).
    public static func status(vxlanIndex: Int32, bridgeIndex: Int32) -> (into: Bool, out: Bool, entries: Int?) {
        let ins = attached(vxlanIndex).filter { $0.name == intoContainersName }
        let holders = attached(bridgeIndex, egress: true).filter { $0.name.hasPrefix(outOfContainersPrefix) }
        let map = ins.first?.mapIDs.first
        let into = ins.count == 1 && map != nil
        let out = holders.count == 1 && holders[0].name == outOfContainersName(vxlanIndex: vxlanIndex)
            && (map == nil || holders[0].mapIDs.first == map)
        return (into, out, (try? open(bridgeIndex: bridgeIndex)?.entries.all())?.count)
    }

    static func attach(_ program: [BPFInstruction], name: String, to ifindex: Int32, egress: Bool = false) throws {
        let code = program.flatMap(\.bytes)
        var log = [CChar](repeating: 0, count: 16384)
        let fd = code.withUnsafeBytes { c in log.withUnsafeMutableBufferPointer {
            berth_bpf_classifier_load(c.baseAddress, UInt32(program.count), name, $0.baseAddress, UInt32($0.count))
        } }
        if fd < 0 {
            let text = String(decoding: log.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let lastLines = text.split(separator: "\n").suffix(3).joined(separator: "; ")
            throw NetlinkError(errno: -fd, operation: "load the overlay fast path's \(name)", kernelMessage: lastLines.isEmpty ? nil : lastLines)
        }
        defer { close(fd) }
        let r = berth_bpf_attach(fd, ifindex, egress ? tcxEgress : tcxIngress)
        if r < 0 { throw NetlinkError(errno: -r, operation: "attach the overlay fast path's \(name) to interface \(ifindex)") }
    }

    static func detach(_ program: Attached, from ifindex: Int32, egress: Bool = false) {
        let fd = berth_bpf_program_fd(program.id)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = berth_bpf_detach(fd, ifindex, egress ? tcxEgress : tcxIngress)
    }
}
