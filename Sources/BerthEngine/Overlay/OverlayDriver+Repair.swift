import BerthAddress
import BerthNetlink
import BerthStore
import Glibc

/// What `berth gc` and `berth doctor` do about the VXLAN side of overlay networks (the bridge
/// side is the bridge driver's, which covers overlay networks too).
extension OverlayDriver {
    func snapshot() throws -> any KernelSnapshot { BridgeDriver.Links(try host().links()) }

    func repair(_ snapshot: any KernelSnapshot, networks: [NetworkRecord], endpoints: [EndpointRecord],
                dryRun: Bool) throws -> KernelRepair {
        guard let links = snapshot as? BridgeDriver.Links else { preconditionFailure("a snapshot of another driver") }
        var repair = KernelRepair()
        let ids = Set(networks.map(\.id))
        // Only VXLAN devices Berth tagged: a user's own vxlan (or bv-something) is left alone.
        for link in links.all where isStrayVXLAN(link, networkIDs: ids) {
            repair.actions.append(RepairAction(kind: "link", description: "deleted VXLAN device \(link.name) of a removed overlay network"))
            if !dryRun { _ = try host().deleteLink(name: link.name) }
        }
        for n in networks where links.byName[Self.vxlanName(forNetworkID: n.id)] == nil {
            let name = Self.vxlanName(forNetworkID: n.id)
            repair.actions.append(RepairAction(kind: "link", description:
                "recreated missing VXLAN device \(name) of overlay network '\(n.name)' (its agent puts the peers back)"))
            if !dryRun { try realizeVXLAN(n) }
        }
        let now = dryRun ? links : BridgeDriver.Links(try host().links())
        repair.actions += repairFastPath(now, networks: networks, endpoints: endpoints, dryRun: dryRun)
        return repair
    }

    func diagnose(networks: [NetworkRecord], endpoints: [EndpointRecord]) throws -> [DoctorFinding] {
        var findings: [DoctorFinding] = []
        let session = try host()
        let links = try session.links()
        let byName = Dictionary(links.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let addresses = try session.addresses()
        for n in networks {
            guard let o = try? OverlayOptions(n) else {
                findings.append(DoctorFinding(problem: "overlay network '\(n.name)' has unreadable options", fix: "berth network rm \(n.name) and join it again"))
                continue
            }
            let name = Self.vxlanName(forNetworkID: n.id)
            if let link = byName[name] {
                if !link.isUp {
                    findings.append(DoctorFinding(problem: "VXLAN device \(name) of overlay network '\(n.name)' is down: no traffic reaches the other hosts",
                                                  fix: "ip link set \(name) up"))
                }
                if let finding = diagnoseFastPath(n, links: byName, endpoints: endpoints) { findings.append(finding) }
            } else {
                findings.append(DoctorFinding(problem: "VXLAN device \(name) of overlay network '\(n.name)' is missing: no traffic reaches the other hosts",
                                              fix: "berth gc (recreates it; the agent then puts its peers back)"))
            }
            if let holder = addresses.first(where: { $0.address.address == o.vtep }),
               let underlay = links.first(where: { $0.index == holder.index }) {
                let mtu = n.mtu == 0 ? 1500 : n.mtu
                if mtu > underlay.mtu - Self.encapsulationOverhead {
                    findings.append(DoctorFinding(
                        problem: "overlay network '\(n.name)' uses MTU \(mtu) but its underlay \(underlay.name) has \(underlay.mtu): above \(underlay.mtu - Self.encapsulationOverhead) (underlay − 50) encapsulated packets are dropped",
                        fix: "berth network rm \(n.name) and join again with --mtu \(underlay.mtu - Self.encapsulationOverhead)"))
                }
            } else {
                findings.append(DoctorFinding(problem: "VTEP address \(o.vtep) of overlay network '\(n.name)' is no longer an address of this host",
                                              fix: "give the host its underlay address back, or rm the network and join again with the new one"))
            }
            if let owner = Self.processHolding(udpPort: o.definition.port, vtep: o.vtep) {
                findings.append(DoctorFinding(problem: "UDP port \(o.definition.port) of overlay network '\(n.name)' is bound by process \(owner.pid) (\(owner.command)), not only by the VXLAN device: its packets may never reach the overlay",
                                              fix: "stop process \(owner.pid) or move it off UDP port \(o.definition.port) (ss -lunp sport = :\(o.definition.port))"))
            }
        }
        return findings
    }

    /// A process holding a UDP socket bound to `port` on the wildcard address or on `vtep` (a
    /// socket on another address takes no VXLAN packet), or nil. The kernel's own VXLAN sockets
    /// are listed in /proc/net/udp too, with an inode of their own on recent kernels, so a socket
    /// counts only when some process has it open (a scan of /proc/*/fd: fine for `berth doctor`,
    /// never on an attach path).
    static func processHolding(udpPort port: UInt16, vtep: IPv4Address) -> (pid: Int32, command: String)? {
        // /proc/net/udp prints an IPv4 address as the 32-bit value in host (little-endian) order.
        let b = vtep.bytes
        let vtepHex = String(UInt32(b[3]) << 24 | UInt32(b[2]) << 16 | UInt32(b[1]) << 8 | UInt32(b[0]), radix: 16, uppercase: true)
        let wanted = Set(["00000000", String(repeating: "0", count: 8 - vtepHex.count) + vtepHex,
                          String(repeating: "0", count: 32)])
        var inodes: Set<String> = []
        for file in ["/proc/net/udp", "/proc/net/udp6"] {
            guard let text = try? SystemFile.read(file) else { continue }
            for line in text.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                guard fields.count > 9, let colon = fields[1].lastIndex(of: ":"),
                      UInt16(fields[1][fields[1].index(after: colon)...], radix: 16) == port,
                      wanted.contains(String(fields[1][..<colon])),
                      let inode = UInt64(fields[9]), inode != 0 else { continue }
                inodes.insert("socket:[\(inode)]")
            }
        }
        guard !inodes.isEmpty else { return nil }
        for name in SystemFile.entries(of: "/proc") {
            guard let pid = Int32(name) else { continue }
            for fd in SystemFile.entries(of: "/proc/\(name)/fd")
            where SystemFile.linkTarget("/proc/\(name)/fd/\(fd)").map(inodes.contains) == true {
                let command = (try? SystemFile.read("/proc/\(name)/comm"))?.split(separator: "\n").first.map(String.init) ?? "?"
                return (pid, command)
            }
        }
        return nil
    }
}
