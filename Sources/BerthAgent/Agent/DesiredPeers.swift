import BerthAddress
import BerthEngine

/// What the kernel of this host should hold for a local overlay network: every other live host
/// of the network, from the agent's picture of etcd.
public enum DesiredPeers {
    /// The peers of `local` in `view`: each `peers/B` key of the network except this host's own,
    /// keeping only what the kernel can safely route — a block inside the network's subnet, of
    /// the network's host prefix, not overlapping this host's block nor an earlier peer's (two
    /// keys claiming overlapping space can only come from a damaged store: the lower block wins,
    /// so the answer is deterministic). Sorted by block.
    public static func compute(for local: OverlayLocalNetwork, hostID: String, in view: OverlayView) -> [OverlayPeer] {
        guard let network = view.networks[local.name] else { return [] }
        let definition = network.definition ?? local.definition
        var chosen: [OverlayPeer] = []
        for block in network.peers.keys.sorted() {
            guard let peer = network.peers[block] else { continue }
            if peer.host == hostID || block == local.block { continue }
            guard definition.subnet.contains(block), block.prefixLength == definition.hostPrefix,
                  !block.overlaps(local.block), !chosen.contains(where: { $0.block.overlaps(block) }) else { continue }
            // A VTEP of our own would send the traffic back to ourselves.
            if peer.vtep == local.vtep { continue }
            chosen.append(OverlayPeer(block: block, vtep: peer.vtep, mac: peer.mac))
        }
        return chosen
    }
}
