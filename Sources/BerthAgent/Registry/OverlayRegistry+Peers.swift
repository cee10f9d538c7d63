import BerthAddress
import BerthEtcd

extension OverlayRegistry {
    /// Puts `peers/block` with `record`, attached to `lease`, only while `reservations/block`
    /// still names `record.host` (a transaction comparing the reservation as read). Throws
    /// ``OverlayRegistryError/reservationLost(network:block:)`` otherwise: claim again.
    public func publishPeer(network: String, block: IPv4Subnet, record: OverlayPeerRecord, lease: Int64) async throws {
        try OverlayKeys.validate(network: network)
        let reservationKey = keys.reservation(network, block)
        guard let kv = try await store.range(key: reservationKey, prefix: false).kvs.first,
              try decode(reservationKey, { try OverlayReservation(block: block, json: kv.value) }).host == record.host else {
            throw OverlayRegistryError.reservationLost(network: network, block: block)
        }
        let answer = try await store.txn(
            compare: [EtcdCompare(key: reservationKey, .equal, .modRevision(kv.modRevision))],
            success: [.put(key: keys.peer(network, block), value: record.json, lease: lease)], failure: [])
        guard answer.succeeded else { throw OverlayRegistryError.reservationLost(network: network, block: block) }
    }

    /// This host leaves `network`: deletes `peers/block` and `reservations/block` in one
    /// transaction, only if the reservation still names `hostID` (else only a peer key of ours).
    public func leave(network: String, hostID: String, block: IPv4Subnet) async throws {
        try OverlayKeys.validate(network: network)
        let reservationKey = keys.reservation(network, block)
        let peerKey = keys.peer(network, block)
        if let kv = try await store.range(key: reservationKey, prefix: false).kvs.first,
           try decode(reservationKey, { try OverlayReservation(block: block, json: kv.value) }).host == hostID {
            let answer = try await store.txn(
                compare: [EtcdCompare(key: reservationKey, .equal, .modRevision(kv.modRevision))],
                success: [.deleteRange(key: peerKey, prefix: false), .deleteRange(key: reservationKey, prefix: false)],
                failure: [])
            if answer.succeeded { return }
        }
        // Not (or no longer) our reservation: take away only a peer key that is ours.
        guard let peer = try await store.range(key: peerKey, prefix: false).kvs.first,
              (try? OverlayPeerRecord(json: peer.value))?.host == hostID else { return }
        _ = try await store.txn(compare: [EtcdCompare(key: peerKey, .equal, .modRevision(peer.modRevision))],
                                success: [.deleteRange(key: peerKey, prefix: false)], failure: [])
    }

    /// Deletes `network` everywhere: its definition and every key under `P/overlay/N/`.
    /// Returns how many keys went.
    @discardableResult
    public func removeEverywhere(network: String) async throws -> Int64 {
        try OverlayKeys.validate(network: network)
        return try await store.deleteRange(key: keys.network(network), prefix: true).deleted
    }

    /// Deletes a dead host's reservation of `block` (an operator's `berth overlay forget`),
    /// refused while the block's peer key exists (its agent is alive).
    public func forget(network: String, block: IPv4Subnet) async throws {
        try OverlayKeys.validate(network: network)
        let peerKey = keys.peer(network, block)
        let reservationKey = keys.reservation(network, block)
        let answer = try await store.txn(compare: [.absent(peerKey)],
                                         success: [.deleteRange(key: reservationKey, prefix: false)],
                                         failure: [.range(key: peerKey, prefix: false)])
        if answer.succeeded {
            guard case .deleteRange(let deleted)? = answer.responses.first, deleted.deleted > 0 else {
                throw OverlayRegistryError.noReservation(network: network, block: block)
            }
            return
        }
        var who = ""
        if case .range(let range)? = answer.responses.first, let kv = range.kvs.first,
           let peer = try? OverlayPeerRecord(json: kv.value) {
            who = " (host \(peer.host)\(peer.hostname.isEmpty ? "" : " \(peer.hostname)"), VTEP \(peer.vtep))"
        }
        throw OverlayRegistryError.blockAlive(
            "block \(block) of overlay network '\(network)' has a live agent\(who): stop it or run `berth network rm \(network)` on that host")
    }
}
