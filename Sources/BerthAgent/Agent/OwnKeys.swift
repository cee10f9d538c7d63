import BerthAddress
import BerthEngine

/// This host's own `peers/B` keys: which to put and which to delete so etcd shows exactly the
/// local overlay networks this agent serves.
public enum OwnKeys {
    public struct Put: Sendable, Equatable {
        public var network: String
        public var block: IPv4Subnet
        public var peer: OverlayView.Peer
    }
    public struct Delete: Sendable, Equatable {
        public var network: String
        public var block: IPv4Subnet
    }

    /// The value this host publishes for a local network.
    public static func peer(for local: OverlayLocalNetwork, hostID: String, hostname: String) -> OverlayView.Peer {
        OverlayView.Peer(host: hostID, hostname: hostname, vtep: local.vtep, mac: local.mac, endpoints: local.endpointCount)
    }

    /// Puts for every served network whose key the picture lacks or shows differently (all of
    /// them with `republish`), deletes for keys of this host in networks it no longer has.
    /// A block whose reservation names another host is not published (the operator forgot it
    /// and another host took it: publishing would hijack its traffic).
    public static func plan(local: [OverlayLocalNetwork], hostID: String, hostname: String, view: OverlayView,
                            republish: Bool) -> (puts: [Put], deletes: [Delete], conflicts: [String]) {
        var puts: [Put] = [], deletes: [Delete] = [], conflicts: [String] = []
        for network in local.sorted(by: { $0.name < $1.name }) {
            let seen = view.networks[network.name]
            if seen?.definition == nil {
                conflicts.append("\(network.name): not defined in etcd (removed everywhere while this agent was away?): not published; 'berth network rm \(network.name)' removes it here")
                continue
            }
            if let owner = seen?.reservations[network.block], owner.host != hostID {
                conflicts.append("\(network.name) \(network.block): reserved by host \(owner.host) (\(owner.hostname))")
                continue
            }
            let wanted = peer(for: network, hostID: hostID, hostname: hostname)
            if republish || seen?.peers[network.block] != wanted {
                puts.append(Put(network: network.name, block: network.block, peer: wanted))
            }
        }
        let served = Set(local.map { "\($0.name) \($0.block)" })
        for name in view.networks.keys.sorted() {
            guard let network = view.networks[name] else { continue }
            for block in network.peers.keys.sorted() where network.peers[block]?.host == hostID {
                if !served.contains("\(name) \(block)") { deletes.append(Delete(network: name, block: block)) }
            }
        }
        return (puts, deletes, conflicts)
    }
}
