import BerthAddress
import BerthEngine

/// What `network create --driver overlay` did: the network as the engine made it.
public struct OverlayCreated: Sendable, Equatable {
    public var network: OverlayLocalNetwork
    public var reclaimed: Bool

    /// The command's output: the name (as `berth network create` prints it), then the block.
    public var text: String {
        let d = network.definition
        return "\(network.name)\nblock \(network.block) subnet \(d.subnet) vni \(d.vni) port \(d.port) vtep \(network.vtep) mtu \(network.mtu)\n"
    }
}

extension OverlayContext {
    /// Creates or joins the overlay network: definition, block claim, local join, in that
    /// order, each undone if a later step fails (a re-claimed block and a definition this
    /// command did not make are left alone). Finally tells the agent, if one runs.
    public func create(_ request: OverlayCreateRequest) async throws -> OverlayCreated {
        let hostID = try engine.overlayHostID()
        let locals = try engine.localNetworks()
        if let same = locals.first(where: { $0.name == request.name }), same.driver != "overlay" {
            throw AgentError("network '\(request.name)' exists on this host as a \(same.driver) network")
        }
        // Other networks' address space: the overlay subnet must not overlap any of it.
        let others = locals.filter { $0.name != request.name }.compactMap(\.subnet)
        if let subnet = request.stated.subnet, let clash = locals.first(where: { $0.name != request.name && $0.subnet.map(subnet.overlaps) == true }) {
            throw AgentError("--subnet \(subnet) overlaps local network '\(clash.name)' (\(clash.subnet!))")
        }
        let vtep: IPv4Address
        if let given = request.vtep {
            vtep = given
        } else {
            guard let first = request.etcd.endpoints.first, let address = try EtcdEndpoint(first).address else {
                throw AgentError("give --vtep-address: the etcd endpoint is not an IPv4 address")
            }
            vtep = try engine.underlayRoute(to: address).source
        }
        return try await withRegistry(request.etcd) { registry in
            try await create(request, hostID: hostID, locals: locals, others: others, vtep: vtep, registry: registry)
        }
    }

    private func create(_ request: OverlayCreateRequest, hostID: String, locals: [(name: String, driver: String, subnet: IPv4Subnet?)],
                        others: [IPv4Subnet], vtep: IPv4Address, registry: any OverlayRegistryClient) async throws -> OverlayCreated {
        let (definition, createdDefinition) = try await registry.define(network: request.name, stated: request.stated, localSubnets: others)
        do {
            if let clash = locals.first(where: { $0.name != request.name && $0.subnet.map(definition.subnet.overlaps) == true }) {
                throw AgentError("network '\(request.name)' uses \(definition.subnet), which overlaps local network '\(clash.name)' (\(clash.subnet!))")
            }
            guard definition.hostPrefix > definition.subnet.prefixLength, definition.hostPrefix <= 30 else {
                throw AgentError("network '\(request.name)': host prefix /\(definition.hostPrefix) does not fit subnet \(definition.subnet)")
            }
            let claim = try await registry.claimBlock(network: request.name, definition: definition, hostID: hostID, hostname: hostname,
                                                      avoiding: others)
            do {
                let join = OverlayJoin(name: request.name, definition: definition, block: claim.block, vtep: vtep, etcd: request.etcd,
                                       mtu: request.mtu, labels: request.labels, firewall: request.firewall, dns: request.dns)
                let network = try engine.joinOverlay(join)
                PidFile.hangUp(stateDirectory: stateDirectory)
                return OverlayCreated(network: network, reclaimed: claim.reclaimed)
            } catch {
                if !claim.reclaimed { try? await registry.leave(network: request.name, block: claim.block, hostID: hostID) }
                throw error
            }
        } catch {
            // Nothing changed: a definition this command wrote goes again, unless another host
            // joined meanwhile (its reservation then shows).
            if createdDefinition, let seen = try? await registry.list().networks[request.name], seen.reservations.isEmpty {
                try? await registry.removeEverywhere(network: request.name)
            }
            throw error
        }
    }
}
