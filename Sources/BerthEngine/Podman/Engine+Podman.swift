import BerthAddress
import BerthStore

/// What the netavark front end calls for `setup` (docs/podman.md, "Semantics").
///
/// Podman has allocated every address already: each network's addresses reach the attach
/// path as static ones. The networks are created (owner `podman`) on first use, with the
/// ownership rules of ``clearWayForPodman(_:)``. The call is one transaction: a failure on any
/// network detaches every endpoint this call attached and removes every network it created,
/// then rethrows.
extension Engine {
    /// Attaches the container to every network of `setup` (in order), creating the missing
    /// Podman-owned networks. Returns the attachments in the same order.
    public func podmanSetup(_ setup: PodmanSetup) throws -> [Attachment] {
        try requirePrivileges()
        let podman = try lockPodman()
        // One operation lock over the whole call: `berth gc` never runs between its steps
        // (nor between the steps of its rollback).
        let lock = try beginOperation()
        defer { withExtendedLifetime((podman, lock)) {} }
        var done: [Attachment] = []
        var created: [String] = []
        let ports = try setup.portsByNetwork()
        do {
            for (index, n) in setup.networks.enumerated() {
                var request = ConnectRequest(network: .defined(n.spec), target: .path(setup.namespacePath),
                                             ifname: n.ifname, address: n.address, mac: n.mac,
                                             // netavark brings the container's `lo` up on every setup:
                                             // Podman runs no loopback plugin with it.
                                             containerID: setup.containerID, bringUpLoopback: true,
                                             ports: ports[index] ?? [], frontEnd: .podman)
                request.address6 = n.address6
                request.dnsName = setup.containerName
                request.aliases = n.aliases
                // A failed connect has undone itself (and a network it made); a stale record
                // its resolve removed is not restored: it was idle and out of date.
                let attachment = try connect(request)
                done.append(attachment)
                if attachment.createdNetwork { created.append(attachment.network.name) }
            }
        } catch {
            rollBack(done, created: created, containerID: setup.containerID)
            throw error
        }
        return done
    }

    /// Undoes a failed setup: every endpoint it attached is removed at once (synchronously,
    /// so the kernel holds none of it when the error is reported), then every network it
    /// created. Best effort: whatever remains is `berth gc`'s.
    private func rollBack(_ done: [Attachment], created: [String], containerID: String) {
        let signals = TeardownSignals.block()
        defer { signals.restore() }
        var dnsNetworks: [String] = []
        for a in done.reversed() {
            guard let e = try? store.endpoint(id: a.endpoint.id) else { continue }
            if (try? removeEndpoints([e])) != nil, a.network.dns { dnsNetworks.append(a.network.name) }
        }
        for name in created.reversed() { _ = try? removeIdlePodmanNetwork(name) }
        for name in dnsNetworks where !created.contains(name) { announce(network: name) }
    }
}

extension PodmanSetup {
    /// The port mappings each network publishes, by index into ``networks``: each mapping goes
    /// to the first network (in Podman's order) that is a bridge, not internal, with an
    /// address of the mapping's family (either, for a mapping without a host address). A
    /// mapping no network can carry is an error.
    func portsByNetwork() throws -> [Int: [PortMapping]] {
        var result: [Int: [PortMapping]] = [:]
        for mapping in ports {
            let index = networks.firstIndex { n in
                guard (n.spec.driver ?? "bridge") == "bridge", !n.spec.isInternal, !n.spec.addressless else { return false }
                return (mapping.covers(.ipv4) && n.address != nil) || (mapping.covers(.ipv6) && n.address6 != nil)
            }
            guard let index else {
                throw BerthError.invalidArgument("port mapping \(mapping): no network of the container can publish it (a bridge network, not internal, with an address of its family)")
            }
            result[index, default: []].append(mapping)
        }
        return result
    }
}
