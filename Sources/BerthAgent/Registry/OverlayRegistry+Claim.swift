import BerthAddress
import BerthEtcd

extension OverlayRegistry {
    /// The block this host holds in `network`.
    public struct Claim: Sendable, Equatable {
        public var block: IPv4Subnet
        /// True when the host already held it (a restart or re-join): never renumbered.
        public var reclaimed: Bool
    }

    /// Claims a block of `network` for host `hostID`: the host's own reservation if it has one;
    /// else the lowest unreserved block overlapping none of `avoiding` (the host's other local
    /// networks), by `If Version(reservations/B) == 0 Then Put`. A lost race moves on to the
    /// next block; a timed-out transaction (outcome unknown) re-reads the key first.
    public func claimBlock(network: String, hostID: String, hostname: String,
                           avoiding: [IPv4Subnet] = []) async throws -> Claim {
        try OverlayKeys.validate(network: network)
        guard !hostID.isEmpty else { throw OverlayRegistryError.invalid("empty host id") }
        guard let config = try await config(network: network) else { throw OverlayRegistryError.notDefined(network: network) }
        let reservations = try await self.reservations(network: network)
        if let own = reservations.filter({ $0.host == hostID }).map(\.block).min() {
            return Claim(block: own, reclaimed: true)
        }
        let reserved = Set(reservations.map(\.block))
        let value = OverlayReservation(block: config.subnet, host: hostID, hostname: hostname).json
        for index in 0..<config.blockCount {
            let block = config.block(index)
            if reserved.contains(block) || avoiding.contains(where: { $0.overlaps(block) }) { continue }
            if try await tryReserve(network: network, block: block, value: value, hostID: hostID) {
                return Claim(block: block, reclaimed: false)
            }
        }
        throw try await exhausted(network: network, config: config)
    }

    /// One attempt at `block`: true when it is now this host's.
    private func tryReserve(network: String, block: IPv4Subnet, value: String, hostID: String) async throws -> Bool {
        let key = keys.reservation(network, block)
        // Twice at most: a timed-out txn that left the key absent is worth one more try.
        for _ in 0..<2 {
            do {
                let answer = try await store.txn(compare: [.absent(key)], success: [.put(key: key, value: value, lease: 0)], failure: [])
                return answer.succeeded
            } catch EtcdError.timeout {
                guard let kv = try await store.range(key: key, prefix: false).kvs.first else { continue }
                let holder = try decode(key) { try OverlayReservation(block: block, json: kv.value) }
                return holder.host == hostID
            }
        }
        return false
    }

    /// The exhaustion error: names the reservations whose host has no live peer key.
    private func exhausted(network: String, config: OverlayConfig) async throws -> OverlayRegistryError {
        let snapshot = try await self.snapshot(network: network)
        let live = Set(snapshot.peers.map(\.block))
        let dead = snapshot.reservations.filter { !live.contains($0.block) }
        var message = "overlay network '\(network)' has no free /\(config.hostPrefix) block left in \(config.subnet)"
        if dead.isEmpty {
            message += " (every block's host is alive)"
        } else {
            let names = dead.prefix(8).map { "\($0.block) (host \($0.host)\($0.hostname.isEmpty ? "" : " \($0.hostname)"))" }
            message += "; reserved by hosts without a live agent: \(names.joined(separator: ", "))"
            if dead.count > 8 { message += " and \(dead.count - 8) more" }
            message += "; free one with `berth overlay forget \(network) BLOCK`"
        }
        return .exhausted(message)
    }

    /// Every reservation of `network`, by block.
    public func reservations(network: String) async throws -> [OverlayReservation] {
        var out: [OverlayReservation] = []
        for kv in try await store.range(key: keys.reservations(network), prefix: true).kvs {
            guard case .reservation(_, let block)? = keys.parse(kv.key) else { continue }
            out.append(try decode(kv.key) { try OverlayReservation(block: block, json: kv.value) })
        }
        return out.sorted { $0.block < $1.block }
    }
}
