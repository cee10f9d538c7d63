import BerthAddress
import BerthDNSWire

/// Decides the answer to each query: checks the message and the client, then answers from the
/// snapshot (docs/dns.md, "Names", rules 1–3) or has the server forward it (rule 4).
public struct DNSResolver: Sendable {
    /// Decides the answer to `bytes` received on `transport` from `client` by the listener of
    /// network `listenerNetwork`, using `snapshot`. `rotation` varies per query (a counter):
    /// it rotates the order of several addresses for one name.
    public static func decide(_ bytes: some Collection<UInt8>, from client: IPAddress,
                              listenerNetwork: String, transport: DNSTransport,
                              snapshot: DNSSnapshot, rotation: Int) -> (DNSDecision, DNSOutcome) {
        let decided = bytes.withContiguousStorageIfAvailable { buffer in
            decide(UnsafeRawBufferPointer(buffer), from: client, listenerNetwork: listenerNetwork,
                   transport: transport, snapshot: snapshot, rotation: rotation)
        }
        return decided ?? decideFully(Array(bytes), from: client, listenerNetwork: listenerNetwork,
                                      transport: transport, snapshot: snapshot, rotation: rotation)
    }

    /// `decide` for bytes in memory the caller owns (a datagram in the channel's buffer): the
    /// common query — a local A or AAAA name — is answered from them without a copy
    /// (`FastAnswer`); anything else is copied and takes the full path.
    public static func decide(_ bytes: UnsafeRawBufferPointer, from client: IPAddress,
                              listenerNetwork: String, transport: DNSTransport,
                              snapshot: DNSSnapshot, rotation: Int) -> (DNSDecision, DNSOutcome) {
        switch FastAnswer.attempt(bytes, from: client, listenerNetwork: listenerNetwork, transport: transport,
                                  snapshot: snapshot, rotation: rotation) {
        case .answered(let reply):
            return (.respond(reply), .local)
        case .fallBack(let match):
            return decideFully(Array(bytes), from: client, listenerNetwork: listenerNetwork, transport: transport,
                               snapshot: snapshot, rotation: rotation, match: match)
        }
    }

    /// `decide` without the fast path: the message parsed, the response built and serialized.
    /// The reference the fast path's bytes are tested against. `match`: the fast path's finding
    /// for this very query (same bytes, client and snapshot), when it got that far.
    static func decideFully(_ bytes: [UInt8], from client: IPAddress, listenerNetwork: String,
                            transport: DNSTransport, snapshot: DNSSnapshot, rotation: Int,
                            match: NameMatch? = nil) -> (DNSDecision, DNSOutcome) {
        let query: DNSMessage
        do {
            query = try DNSMessage(parsing: bytes)
        } catch {
            guard let formerr = DNSMessage.formatErrorResponse(toUnparsable: bytes) else { return (.drop, .dropped) }
            return (.respond(formerr.serialize(maxSize: transport == .tcp ? DNSMessage.maxSize : 512)), .formerr)
        }
        // Answering a response could start a loop between two servers.
        if query.isResponse { return (.drop, .dropped) }
        let limit = transport.responseLimit(for: query)
        func reply(_ rcode: DNSResponseCode, _ outcome: DNSOutcome) -> (DNSDecision, DNSOutcome) {
            (.respond(query.response(rcode: rcode).serialize(maxSize: limit)), outcome)
        }
        guard query.opcode == .query else { return reply(.notImplemented, .notimp) }
        guard query.questions.count == 1 else { return reply(.formatError, .formerr) }
        guard !query.hasUnsupportedEDNSVersion else { return reply(.badVersion, .badvers) }
        guard query.questions[0].class == .in else { return reply(.refused, .refused) }
        // Only the listener network's own endpoints may ask: never an open resolver.
        guard let listener = snapshot.index[listenerNetwork],
              let owner = listener.byAddress[client]?.first else { return reply(.refused, .refused) }
        let lookup = Lookup(query: query, snapshot: snapshot, listenerName: listenerNetwork, listener: listener,
                            limit: limit, rotation: rotation,
                            visible: snapshot.containers[owner.container] ?? [listenerNetwork], match: match)
        if let decision = lookup.reverse() ?? lookup.localName() { return decision }
        // Rule 4: not Berth's to answer.
        if listener.entry.isInternal { return reply(.refused, .refused) }
        let upstreams = listener.entry.upstreams
        return (.forward(query, upstreams: upstreams.isEmpty ? nil : upstreams), .forwarded)
    }
}
