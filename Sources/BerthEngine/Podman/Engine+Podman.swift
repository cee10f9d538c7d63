import BerthAddress

/// What the netavark front end calls (docs/podman.md). A first cut composed of ``connect(_:)``
/// and ``detach(network:containerID:ifname:)``; the Podman issue makes it one transaction.
extension Engine {
    /// Attaches the container to every network of `setup`, creating the Podman-owned networks
    /// that are missing. On any failure, undoes everything this call did, for every network.
    public func podmanSetup(_ setup: PodmanSetup) throws -> [Attachment] {
        var done: [Attachment] = []
        do {
            for (index, n) in setup.networks.enumerated() {
                var request = ConnectRequest(network: .defined(n.spec), target: .path(setup.namespacePath),
                                             ifname: n.ifname, address: n.address, mac: n.mac,
                                             containerID: setup.containerID, bringUpLoopback: false,
                                             ports: index == 0 ? setup.ports : [], frontEnd: .podman)
                request.address6 = n.address6
                request.dnsName = setup.containerName
                request.aliases = n.aliases
                done.append(try connect(request))
            }
        } catch {
            for a in done.reversed() {
                _ = try? detach(network: a.network.name, containerID: setup.containerID, ifname: a.endpoint.ifname)
            }
            throw error
        }
        return done
    }

    /// Detaches the container from every network of `teardown`; removes a Podman-owned
    /// network left without endpoints. Idempotent.
    public func podmanTeardown(_ teardown: PodmanTeardown) throws {
        for n in teardown.networks {
            try detach(network: n.spec.name, containerID: teardown.containerID, ifname: n.ifname)
        }
    }

    /// Sets a network's own upstream name servers (netavark's `update
    /// --network-dns-servers`); the name service picks them up before this returns.
    public func setDNSServers(network: String, _ servers: [IPAddress]) throws {
        throw BerthError.invalidArgument("update is not implemented yet")
    }
}
