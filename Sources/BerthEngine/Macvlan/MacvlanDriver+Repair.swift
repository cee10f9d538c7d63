import BerthAddress
import BerthNetlink
import BerthStore

/// What the macvlan driver checks and repairs: an attachment as a runtime's CHECK expects it,
/// the endpoints whose containers are gone (for `berth gc`), and its networks' parents (for
/// `berth doctor`). It has no host objects to sweep: every link it makes lives in a container.
extension MacvlanDriver {
    func verify(_ e: EndpointRecord, network n: NetworkRecord, namespace: NetworkNamespace,
                mac: MACAddress, defaultGateway: IPv4Address?, defaultGateway6: IPv6Address?) throws {
        func missing(_ what: String) -> BerthError { .notFound(what) }
        let options = try MacvlanOptions(n)
        guard let parent = try host().link(name: options.parent) else {
            throw missing("parent interface \(options.parent) of network '\(n.name)' is missing")
        }
        let container = try RouteSession(in: namespace)
        guard let link = try container.link(name: e.ifname) else {
            throw missing("interface \(e.ifname) is missing in \(namespace.path)")
        }
        guard link.kind == "macvlan" else { throw missing("interface \(e.ifname) is not a macvlan") }
        guard link.macvlanMode == options.mode else {
            throw missing("macvlan \(e.ifname) is not in \(options.mode.rawValue) mode")
        }
        guard link.isUp else { throw missing("interface \(e.ifname) is down") }
        // Passthru gives the link its parent's MAC.
        let expected = options.mode == .passthru ? parent.mac : mac
        if let have = link.mac, let expected, have != expected {
            throw missing("interface \(e.ifname) has MAC \(have), expected \(expected)")
        }
        if let want = e.interface {
            guard try container.addresses().contains(where: { $0.index == link.index && $0.address == want }) else {
                throw missing("interface \(e.ifname) lacks address \(want)")
            }
        }
        if let want = e.interface6 {
            guard try container.addresses6().contains(where: { $0.index == link.index && $0.address == want }) else {
                throw missing("interface \(e.ifname) lacks address \(want)")
            }
        }
        if let gateway = defaultGateway {
            guard try container.routes().contains(where: {
                $0.destination.prefixLength == 0 && $0.gateway == gateway && $0.outputIndex == link.index
            }) else { throw missing("no default route via \(gateway) on \(e.ifname)") }
        }
        if let gateway = defaultGateway6 {
            guard try container.routes6().contains(where: {
                $0.isDefault && $0.gateway == gateway && $0.outputIndex == link.index
            }) else { throw missing("no default route via \(gateway) on \(e.ifname)") }
        }
    }

    /// Nothing: the driver's links are inside containers, looked at one endpoint at a time.
    final class NoSnapshot: KernelSnapshot {}

    func snapshot() throws -> any KernelSnapshot { NoSnapshot() }

    func repair(_ snapshot: any KernelSnapshot, networks: [NetworkRecord], endpoints: [EndpointRecord],
                dryRun: Bool) throws -> KernelRepair {
        var repair = KernelRepair()
        for e in endpoints where e.state == .active {
            switch try linkState(of: e) {
            case .present:
                continue
            case .retired:
                // A detach took it out of service and died before it released the record (the
                // engine's removal of the record deletes the link too).
                repair.releasedEndpoints.append((e, RepairAction(kind: "endpoint", description:
                    "finished interrupted disconnect of \(e.containerID) (\(e.addressesDescription)) on '\(e.network)'")))
            case .missing:
                repair.releasedEndpoints.append((e, RepairAction(kind: "endpoint", description:
                    "released \(e.addressesDescription) of \(e.containerID) on '\(e.network)': its macvlan \(e.ifname) is gone (namespace deleted)")))
            }
        }
        return repair
    }

    func diagnose(networks: [NetworkRecord], endpoints: [EndpointRecord]) throws -> [DoctorFinding] {
        var findings: [DoctorFinding] = []
        let session = try host()
        for n in networks {
            guard let options = try? MacvlanOptions(n) else {
                findings.append(DoctorFinding(problem: "macvlan network '\(n.name)' has no valid parent or mode",
                                              fix: "berth network rm \(n.name), and create it again with --parent"))
                continue
            }
            let attached = endpoints.filter { $0.network == n.name }.count
            let impact = attached > 0 ? "its \(attached) container(s) are cut off" : "no container can join it"
            guard let parent = try session.link(name: options.parent) else {
                findings.append(DoctorFinding(
                    problem: "parent interface \(options.parent) of macvlan network '\(n.name)' is missing: \(impact)",
                    fix: "bring \(options.parent) back, or recreate the network with another --parent"))
                continue
            }
            if !parent.isUp {
                findings.append(DoctorFinding(
                    problem: "parent interface \(options.parent) of macvlan network '\(n.name)' is down: \(impact)",
                    fix: "ip link set \(options.parent) up"))
            }
            if n.mtu > parent.mtu {
                findings.append(DoctorFinding(
                    problem: "macvlan network '\(n.name)' uses MTU \(n.mtu) but its parent \(options.parent) has \(parent.mtu): no container can join it",
                    fix: "recreate the network with --mtu \(parent.mtu)"))
            }
        }
        return findings
    }
}
