import BerthAddress
import BerthEngine
import BerthJSON

/// `overlay status`: one network's hosts as etcd has them, and for each remote host whether
/// this host's kernel has its entries.
public struct OverlayStatus: Sendable, Equatable {
    /// How this host's kernel stands towards a host's block.
    public enum KernelState: String, Sendable, Equatable {
        /// Programmed exactly as etcd says.
        case ok
        /// A live peer the kernel lacks (or has with another VTEP or MAC).
        case missing
        /// Programmed, but etcd has no live peer there (or another one).
        case stale
        /// This host's own block.
        case local
        /// Nothing to program (a reserved-only block), or the network is not joined here.
        case none = "-"
    }

    public struct Host: Sendable, Equatable {
        public var hostID: String
        public var hostname: String
        public var block: IPv4Subnet
        public var vtep: IPv4Address?
        public var mac: MACAddress?
        /// Seconds left on the peer key's lease; nil when unknown or reserved-only.
        public var ttl: Int?
        /// Whether its agent keeps a peer key alive (else: reserved-only).
        public var alive: Bool
        public var kernel: KernelState
    }

    public var network: String
    public var definition: OverlayDefinition?
    /// This host's block when the network is joined here.
    public var localBlock: IPv4Subnet?
    public var hosts: [Host]
    /// This host's fast path for the network (nil: not joined here, or its devices are missing).
    public var fastPath: OverlayFastPathState? = nil

    /// Builds the status from etcd's keys for the network, the local network (nil: not joined
    /// here) and what its VXLAN device holds, and the lease time left per peer block.
    public static func build(network name: String, seen: OverlayView.Network?, hostID: String,
                             local: OverlayLocalNetwork?, programmed: [OverlayPeer], ttl: [IPv4Subnet: Int]) -> OverlayStatus {
        let seen = seen ?? OverlayView.Network()
        var hosts: [Host] = []
        let kernel = Dictionary(programmed.map { ($0.block, $0) }, uniquingKeysWith: { first, _ in first })
        let blocks = Set(seen.reservations.keys).union(seen.peers.keys).union(local != nil ? kernel.keys.map { $0 } : [])
        for block in blocks.sorted() {
            let peer = seen.peers[block], reservation = seen.reservations[block]
            let isLocal = local?.block == block || peer?.host == hostID || (peer == nil && reservation?.host == hostID)
            var state: KernelState
            if isLocal {
                state = .local
            } else if local == nil {
                state = .none
            } else if let peer {
                let want = OverlayPeer(block: block, vtep: peer.vtep, mac: peer.mac)
                state = kernel[block] == want ? .ok : .missing
            } else {
                state = kernel[block] != nil ? .stale : .none
            }
            if peer == nil && reservation == nil {
                // Only the kernel has it: an entry left from a host that is gone.
                let k = kernel[block]
                hosts.append(Host(hostID: "", hostname: "", block: block, vtep: k?.vtep, mac: k?.mac, ttl: nil, alive: false, kernel: .stale))
                continue
            }
            hosts.append(Host(hostID: peer?.host ?? reservation?.host ?? "", hostname: peer?.hostname ?? reservation?.hostname ?? "",
                              block: block, vtep: peer?.vtep, mac: peer?.mac, ttl: peer == nil ? nil : ttl[block],
                              alive: peer != nil, kernel: state))
        }
        return OverlayStatus(network: name, definition: seen.definition ?? local?.definition, localBlock: local?.block, hosts: hosts)
    }

    /// Whether every live remote peer is programmed and nothing stale is: the network converged.
    public var converged: Bool { !hosts.contains { $0.kernel == .missing || $0.kernel == .stale } }

    /// The table: a header line for the network, then one line per host.
    public func table() -> String {
        var out = "network \(network)"
        if let d = definition { out += "  subnet \(d.subnet)  host-prefix /\(d.hostPrefix)  vni \(d.vni)  port \(d.port)" }
        out += "  " + (localBlock.map { "joined here: \($0)" } ?? "not joined here")
        if let f = fastPath { out += "  fast path: " + (f.attached ? "on (\(f.entries) containers)" : "off") }
        out += "\n"
        let header = ["HOST", "HOSTNAME", "BLOCK", "VTEP", "MAC", "TTL", "STATE", "KERNEL"]
        let rows = hosts.map(Self.cells)
        var widths = header.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in i == cells.count - 1 ? c : c + String(repeating: " ", count: widths[i] - c.count + 2) }
                .joined() + "\n"
        }
        out += line(header)
        for row in rows { out += line(row) }
        return out
    }

    /// One host's table cells.
    private static func cells(_ h: Host) -> [String] {
        let id: String = h.hostID.isEmpty ? "-" : h.hostID
        let name: String = h.hostname.isEmpty ? "-" : h.hostname
        let vtep: String = h.vtep.map { "\($0)" } ?? "-"
        let mac: String = h.mac.map { "\($0)" } ?? "-"
        let ttl: String = h.ttl.map { "\($0)s" } ?? "-"
        let state: String = h.alive ? "alive" : (h.hostID.isEmpty ? "gone" : "reserved-only")
        return [id, name, "\(h.block)", vtep, mac, ttl, state, h.kernel.rawValue]
    }

    /// The JSON object for this network (`overlay status --json` prints an array of them).
    public func write(to w: JSONWriter) {
        w.object {
            w.field("network", network)
            if let d = definition {
                w.field("subnet", "\(d.subnet)")
                w.field("hostPrefix", d.hostPrefix)
                w.field("vni", Int(d.vni))
                w.field("port", Int(d.port))
            }
            w.key("localBlock")
            if let localBlock { w.string("\(localBlock)") } else { w.null() }
            w.field("converged", converged)
            w.key("fastPath")
            if let f = fastPath {
                w.object {
                    w.field("attached", f.attached)
                    w.field("entries", f.entries)
                }
            } else { w.null() }
            w.array("hosts") {
                for h in hosts {
                    w.object {
                        w.field("host", h.hostID)
                        w.field("hostname", h.hostname)
                        w.field("block", "\(h.block)")
                        w.key("vtep")
                        if let v = h.vtep { w.string("\(v)") } else { w.null() }
                        w.key("mac")
                        if let m = h.mac { w.string("\(m)") } else { w.null() }
                        w.key("ttl")
                        if let t = h.ttl { w.int(t) } else { w.null() }
                        w.field("alive", h.alive)
                        w.field("kernel", h.kernel.rawValue)
                    }
                }
            }
        }
    }
}
