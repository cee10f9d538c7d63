import BerthAddress
import BerthNetlink
import BerthStore
import Glibc

/// Level-triggered programming of an overlay network's per-peer kernel entries.
extension Engine {
    /// Makes the VXLAN device's neighbour, FDB and route entries exactly `peers` (adds missing
    /// ones neighbour → FDB → route, deletes extra ones route → FDB → neighbour, each delete
    /// attempted even if another fails); recreates a missing device first. Bad peers (outside
    /// the overlay subnet, not a block, this host's own block, two for one block) are refused
    /// before anything changes.
    public func reconcileOverlayPeers(network: String, peers: [OverlayPeer]) throws -> OverlayReconcileReport {
        try requirePrivileges()
        let n = try overlayRecord(named: network)
        let o = try OverlayOptions(n)
        var desired: [IPv4Subnet: OverlayPeer] = [:]
        for p in peers {
            guard p.block.prefixLength == o.definition.hostPrefix, o.definition.subnet.contains(p.block) else {
                throw BerthError.invalidArgument("peer block \(p.block) is not a /\(o.definition.hostPrefix) of overlay subnet \(o.definition.subnet)")
            }
            if p.block == n.subnet { throw BerthError.invalidArgument("peer block \(p.block) is this host's own block") }
            if p.mac.isMulticast { throw BerthError.invalidArgument("peer MAC \(p.mac) is a multicast address") }
            if let other = desired[p.block], other != p {
                throw BerthError.invalidArgument("peer block \(p.block) is given twice (\(other.vtep) and \(p.vtep))")
            }
            desired[p.block] = p
        }
        let driver = try overlayDriver()
        let session = try driver.host()
        return try translatingNetlink {
            let existed = try session.linkIndex(name: OverlayDriver.vxlanName(forNetworkID: n.id)) != nil
            let index = try driver.realizeVXLAN(n)
            if !existed {
                // A device made again comes with a new, empty fast-path map, and the veths still
                // carry the old device's program: give the containers back to it, as gc would.
                let mine = try store.endpoints().filter { $0.network == n.name }
                _ = driver.repairFastPath(BridgeDriver.Links(try session.links()), networks: [n], endpoints: mine, dryRun: false)
            }
            let state = try OverlayKernelState(session: session, index: index)
            var report = OverlayReconcileReport()
            // Additions first: a peer whose MAC or VTEP changed gets its new entries (the
            // neighbour is replaced in place) before the old FDB entry goes.
            for p in desired.values.sorted(by: { $0.block < $1.block }) {
                let gateway = p.block.network
                var touched = false
                var failed = false
                func step(_ what: String, _ body: () throws -> Void) {
                    guard !failed else { return }
                    do { try body(); touched = true } catch {
                        failed = true
                        report.failures.append("\(p): \(what): \(error)")
                    }
                }
                if !state.neighbours.contains(where: { $0.destination == gateway && $0.mac == p.mac && $0.isPermanent }) {
                    step("neighbour") { try session.addNeighbour(gateway, mac: p.mac, index: index) }
                }
                if !state.fdb.contains(where: { $0.mac == p.mac && $0.destination == p.vtep }) {
                    step("FDB") { try session.addFDB(mac: p.mac, destination: p.vtep, index: index) }
                }
                if !state.routes.contains(where: { $0.destination == p.block && $0.gateway == gateway }) {
                    step("route") { try session.addOnLinkRoute(p.block, via: gateway, index: index) }
                }
                if touched && !failed { report.added.append(p) }
            }
            // Removals: whatever is not part of a desired triple.
            let wantedGateways = Dictionary(desired.values.map { ($0.block.network, $0.mac) }, uniquingKeysWith: { a, _ in a })
            let wantedMACs = Set(desired.values.map(\.mac))
            let programmed = state.peers
            // A desired block's route was replaced in place above (NLM_F_REPLACE), as were a
            // desired MAC's FDB entry and a desired gateway's neighbour: only the rest goes.
            for r in state.routes where desired[r.destination] == nil {
                guard let gateway = r.gateway else { continue }
                do { try session.deleteOnLinkRoute(r.destination, via: gateway, index: index) } catch {
                    report.failures.append("route \(r.destination): delete: \(error)")
                }
            }
            for f in state.fdb {
                guard let mac = f.mac, let dst = f.destination, !wantedMACs.contains(mac) else { continue }
                do { try session.deleteFDB(mac: mac, destination: dst, index: index) } catch {
                    report.failures.append("FDB \(mac) dst \(dst): delete: \(error)")
                }
            }
            for e in state.neighbours where e.isPermanent {
                // A desired peer's neighbour stays (replaced above if its MAC changed).
                guard let dst = e.destination, wantedGateways[dst] == nil else { continue }
                do { try session.deleteNeighbour(dst, index: index) } catch {
                    report.failures.append("neighbour \(dst): delete: \(error)")
                }
            }
            report.removed = programmed.filter { !desired.values.contains($0) }
            return report
        }
    }

    /// What the kernel holds: the complete (neighbour, FDB, route) triples on the network's
    /// VXLAN device. Empty when the device is missing.
    public func programmedOverlayPeers(network: String) throws -> [OverlayPeer] {
        let n = try overlayRecord(named: network)
        let session = try overlayDriver().host()
        return try translatingNetlink {
            guard let index = try session.linkIndex(name: OverlayDriver.vxlanName(forNetworkID: n.id)) else { return [] }
            return try OverlayKernelState(session: session, index: index).peers
        }
    }
}

/// Whether an overlay network's fast path is attached here, and how many containers it knows.
public struct OverlayFastPathState: Sendable, Equatable {
    /// Both programs attached (the VXLAN device's and the bridge's).
    public var attached: Bool
    /// Entries in its map (the containers it delivers to directly).
    public var entries: Int
    public init(attached: Bool, entries: Int) { self.attached = attached; self.entries = entries }
}

extension Engine {
    /// The fast path of a local overlay network (nil when its devices are missing).
    public func overlayFastPath(network: String) throws -> OverlayFastPathState? {
        let n = try overlayRecord(named: network)
        let session = try overlayDriver().host()
        return try translatingNetlink {
            guard let vxlan = try session.linkIndex(name: OverlayDriver.vxlanName(forNetworkID: n.id)),
                  let bridge = try session.linkIndex(name: n.bridge) else { return nil }
            let s = OverlayFastPath.status(vxlanIndex: vxlan, bridgeIndex: bridge)
            return OverlayFastPathState(attached: s.into && s.out, entries: s.entries ?? 0)
        }
    }
}

/// One read of a VXLAN device's entries: neighbours, FDB, Berth's on-link routes.
struct OverlayKernelState {
    let neighbours: [NeighbourEntry]
    let fdb: [NeighbourEntry]
    let routes: [TaggedRoute]

    init(session: RouteSession, index: Int32) throws {
        neighbours = try session.neighbours(index: index)
        fdb = try session.fdb(index: index)
        routes = try session.onLinkRoutes(index: index)
    }

    /// The complete triples: a route `block via G`, a permanent neighbour `G lladdr M`, an FDB
    /// entry `M dst V`.
    var peers: [OverlayPeer] {
        routes.compactMap { r -> OverlayPeer? in
            guard let g = r.gateway,
                  let mac = neighbours.first(where: { $0.destination == g && $0.isPermanent })?.mac,
                  let vtep = fdb.first(where: { $0.mac == mac })?.destination else { return nil }
            return OverlayPeer(block: r.destination, vtep: vtep, mac: mac)
        }.sorted { $0.block < $1.block }
    }
}
