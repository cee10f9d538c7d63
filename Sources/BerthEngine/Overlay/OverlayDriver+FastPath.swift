import BerthAddress
import BerthNetlink
import BerthStore
import Glibc

/// The overlay's fast path (``OverlayFastPath``) as the driver keeps it: installed with the
/// VXLAN device (unless switched off: ``fastPathEnabled``), its program on every container veth
/// and one map entry per container, all made equal to the endpoints by `berth gc`.
///
/// An entry only ever speeds a container up: without one its traffic takes the kernel's normal
/// path. So the attach adds its entry last and a failure there costs nothing but speed, and a
/// stale entry (a crash between a veth's deletion and its entry's) leads to an index that is gone
/// or to another container's veth, whose namespace drops a packet not addressed to it.
extension OverlayDriver {
    /// On unless `BERTH_OVERLAY_FAST_PATH=off` (or `0`, `false`) is in the environment, in which
    /// case network create/join and `berth gc` remove it: a host whose own forward rules must see
    /// overlay traffic sets it for every berth command (and the agent).
    static var fastPathEnabled: Bool {
        guard let value = getenv("BERTH_OVERLAY_FAST_PATH") else { return true }
        switch String(cString: value) {
        case "off", "0", "false": return false
        default: return true
        }
    }

    /// Installs (or, when disabled, removes) the fast path of `n`, whose VXLAN device is
    /// `vxlanIndex`. A new map starts empty: `berth gc` fills it from the endpoints. When the
    /// kernel refuses, the network works without it (`berth doctor` says so).
    func installFastPath(_ n: NetworkRecord, vxlanIndex: Int32) {
        guard let block = n.subnet, let options = try? OverlayOptions(n), let session = try? host(),
              let bridge = try? session.link(name: n.bridge) else { return }
        guard Self.fastPathEnabled else {
            let veths = ((try? session.links()) ?? []).filter { $0.master == bridge.index }.map(\.index)
            OverlayFastPath.uninstall(vxlanIndex: vxlanIndex, bridgeIndex: bridge.index, veths: veths, session: session)
            return
        }
        do {
            try OverlayFastPath.install(
                vxlanIndex: vxlanIndex, bridgeIndex: bridge.index, bridgeMAC: bridge.mac ?? BridgeDriver.bridgeMAC(ofNetworkID: n.id),
                block: block, overlay: options.definition.subnet)
        } catch {
            // BERTH_TRACE says why.
            if getenv("BERTH_TRACE") != nil { Notice.emit("overlay fast path not attached: \(error)") }
        }
    }

    /// A configured endpoint's part (after the bridge attach, so the veth exists): the program on
    /// its veth, then its entry.
    func addToFastPath(_ plug: any EndpointPlug, endpoint e: EndpointRecord, network n: NetworkRecord) throws {
        guard let address = e.address, let p = plug as? BridgeDriver.Plug,
              let fastPath = OverlayFastPath.open(bridgeIndex: p.bridge.index) else { return }
        guard let hostIndex = try p.hostIndex ?? host().linkIndex(name: e.hostIfname) else { return }
        // Without it the container's packets take the normal path: slower, never lost.
        try? fastPath.attach(toVeth: hostIndex, session: host(), fresh: true)
        let entry = OverlayFastPath.Entry(hostIndex: hostIndex, container: e.mac,
                                          bridge: p.bridge.mac ?? BridgeDriver.bridgeMAC(ofNetworkID: n.id))
        do {
            try fastPath.entries.set(address, entry)
        } catch {
            // Without an entry the container is still reached (the normal path); with another
            // container's old entry it would not be.
            do { try fastPath.entries.remove(address) } catch {
                throw BerthError.system("cannot update the overlay fast path for \(address): \(error)")
            }
        }
    }

    /// Removes `e`'s entry, if it is still the one of `e`'s veth (looked up, as a detach knows no
    /// more). Best effort: a left-over entry is harmless (see the type's comment) and `berth gc`'s.
    func removeFromFastPath(_ e: EndpointRecord) {
        guard let address = e.address, let veth = try? host().link(name: e.hostIfname), let bridgeIndex = veth.master,
              let fastPath = OverlayFastPath.open(bridgeIndex: bridgeIndex) else { return }
        try? fastPath.entries.remove(address)
    }

    /// `berth gc`: the programs of each overlay network whose devices exist, and its map equal to
    /// its endpoints (each with its veth's current index and the container's MAC).
    func repairFastPath(_ links: BridgeDriver.Links, networks: [NetworkRecord], endpoints: [EndpointRecord],
                        dryRun: Bool) -> [RepairAction] {
        var actions: [RepairAction] = []
        for n in networks {
            guard let vxlan = links.byName[Self.vxlanName(forNetworkID: n.id)], let bridge = links.byName[n.bridge] else { continue }
            let veths = links.all.filter { $0.master == bridge.index }.map(\.index)
            guard Self.fastPathEnabled else {
                let status = OverlayFastPath.status(vxlanIndex: vxlan.index, bridgeIndex: bridge.index)
                if status.into || status.out {
                    actions.append(RepairAction(kind: "fast path", description: "detached the overlay fast path of '\(n.name)' (BERTH_OVERLAY_FAST_PATH=off)"))
                    if !dryRun, let session = try? host() {
                        OverlayFastPath.uninstall(vxlanIndex: vxlan.index, bridgeIndex: bridge.index, veths: veths, session: session)
                    }
                }
                continue
            }
            let status = OverlayFastPath.status(vxlanIndex: vxlan.index, bridgeIndex: bridge.index)
            if !(status.into && status.out) {
                actions.append(RepairAction(kind: "fast path", description: "attached the overlay fast path of '\(n.name)' to \(vxlan.name) and \(bridge.name)"))
                if dryRun { continue }
                installFastPath(n, vxlanIndex: vxlan.index)
            }
            guard let fastPath = OverlayFastPath.open(bridgeIndex: bridge.index) else { continue }
            actions += reconcileEntries(fastPath, n, endpoints: endpoints, links: links, bridge: bridge, dryRun: dryRun)
        }
        return actions
    }

    /// The map equal to the network's endpoints (each with its veth's current index), and every
    /// endpoint's veth with the current program.
    func reconcileEntries(_ fastPath: OverlayFastPath.Handle, _ n: NetworkRecord, endpoints: [EndpointRecord],
                          links: BridgeDriver.Links, bridge: LinkInfo, dryRun: Bool) -> [RepairAction] {
        var actions: [RepairAction] = []
        let entries = fastPath.entries
        var wanted: [IPv4Address: OverlayFastPath.Entry] = [:]
        for e in endpoints where e.network == n.name {
            guard let address = e.address, let veth = links.byName[e.hostIfname], veth.master == bridge.index else { continue }
            if let session = try? host(), !fastPath.isAttached(toVeth: veth.index, session: session) {
                actions.append(RepairAction(kind: "fast path", description: "attached the overlay fast path of '\(n.name)' to \(veth.name)"))
                if !dryRun { try? fastPath.attach(toVeth: veth.index, session: session, fresh: false) }
            }
            wanted[address] = OverlayFastPath.Entry(hostIndex: veth.index, container: e.mac,
                                                    bridge: bridge.mac ?? BridgeDriver.bridgeMAC(ofNetworkID: n.id))
        }
        guard let present = try? entries.all() else { return [] }
        for (address, entry) in present where wanted[address] != entry {
            actions.append(RepairAction(kind: "fast path", description: "removed stale overlay fast path entry \(address) of '\(n.name)'"))
            if !dryRun { try? entries.remove(address) }
        }
        for (address, entry) in wanted where present[address] != entry {
            actions.append(RepairAction(kind: "fast path", description: "added overlay fast path entry \(address) of '\(n.name)'"))
            if !dryRun { try? entries.set(address, entry) }
        }
        return actions
    }

    /// `berth doctor`: a network without its fast path still works, slower; so do containers its
    /// map does not know (a VXLAN device made again starts with an empty one).
    func diagnoseFastPath(_ n: NetworkRecord, links byName: [String: LinkInfo], endpoints: [EndpointRecord]) -> DoctorFinding? {
        guard Self.fastPathEnabled, let vxlan = byName[Self.vxlanName(forNetworkID: n.id)], let bridge = byName[n.bridge] else { return nil }
        let status = OverlayFastPath.status(vxlanIndex: vxlan.index, bridgeIndex: bridge.index)
        guard status.into && status.out else {
            return DoctorFinding(problem: "overlay network '\(n.name)' has no fast path on \(status.into ? bridge.name : vxlan.name): its traffic takes the kernel's slower forward path (eBPF TCX, Linux 6.6+, needed)",
                                 fix: "berth gc (attaches it again)")
        }
        let present = endpoints.filter { e in
            e.network == n.name && e.address != nil && byName[e.hostIfname]?.master == bridge.index
        }.count
        if let known = status.entries, known < present {
            return DoctorFinding(problem: "the fast path of overlay network '\(n.name)' knows \(known) of its \(present) containers: the others' traffic takes the kernel's slower forward path",
                                 fix: "berth gc (fills the map from the endpoints)")
        }
        return nil
    }
}
