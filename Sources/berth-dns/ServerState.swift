import BerthAddress
import BerthDNSCore
import BerthDNSWire
import NIOCore

/// What `berth dns status` counts.
struct Counters: Sendable {
    var queries = 0
    var local = 0
    var forwarded = 0
    var refused = 0
    var nxdomain = 0
    var servfail = 0
    var tcp = 0
    var truncated = 0
    var dropped = 0
}

/// Everything the listeners share, confined to the one event loop that runs them all: the
/// snapshot queries are answered from, the counters, the TCP connections (for the cap), the
/// forwards in flight and the host's resolv.conf. Only that loop touches it (the control
/// thread reaches it through `NIOLoopBound` and `EventLoop.submit`), so it needs no lock and
/// an answer costs no atomic operation.
final class ServerState {
    let loop: EventLoop
    /// Installed by the control thread; the next query after `install` returns sees it.
    private(set) var snapshot = DNSSnapshot.empty
    var counters = Counters()
    /// Per-query counter that rotates the order of several addresses for one name.
    private var rotation = 0
    let resolvConf: ResolvConfWatcher
    /// Open client TCP connections (the cap evicts the one idle longest).
    var tcpConnections: [ObjectIdentifier: TCPQueryHandler] = [:]
    /// Forwards in flight: each holds a socket, so their number is capped too.
    var forwardsInFlight = 0

    static let maxTCPConnections = 256
    static let maxForwardsInFlight = 2048

    init(loop: EventLoop, resolvConfPath: String) {
        self.loop = loop
        resolvConf = ResolvConfWatcher(path: resolvConfPath)
    }

    func install(_ snapshot: DNSSnapshot) {
        self.snapshot = snapshot
    }

    /// Decides one query and counts it. `bytes` only for the call: a local answer is read
    /// straight from the receive buffer.
    func decide(_ bytes: UnsafeRawBufferPointer, from client: IPAddress, listenerNetwork: String,
                transport: DNSTransport) -> DNSDecision {
        rotation &+= 1
        let (decision, outcome) = DNSResolver.decide(bytes, from: client, listenerNetwork: listenerNetwork,
                                                     transport: transport, snapshot: snapshot,
                                                     rotation: rotation)
        counters.queries += 1
        if transport == .tcp { counters.tcp += 1 }
        switch outcome {
        case .local, .nodata, .formerr, .notimp, .badvers: counters.local += 1
        case .nxdomain: counters.nxdomain += 1
        case .refused: counters.refused += 1
        case .forwarded: counters.forwarded += 1
        case .dropped: counters.dropped += 1
        }
        if case .respond(let reply) = decision, reply.count > 2, reply[2] & 0x02 != 0 { counters.truncated += 1 }
        return decision
    }

    /// Forwards `query` and calls `reply` on this loop with the client's answer (the upstream's
    /// relayed, or SERVFAIL). `upstreams` nil: the host's resolv.conf.
    func forward(_ query: DNSMessage, upstreams: [IPAddress]?, transport: DNSTransport,
                 reply: @escaping ([UInt8]) -> Void) {
        let servers = upstreams ?? resolvConf.nameservers()
        guard !servers.isEmpty, forwardsInFlight < Self.maxForwardsInFlight else {
            counters.servfail += 1
            reply(DNSResolver.serverFailure(for: query, transport: transport))
            return
        }
        forwardsInFlight += 1
        let job = ForwardJob(state: self, query: query, upstreams: servers, transport: transport) { [unowned self] bytes in
            self.forwardsInFlight -= 1
            reply(bytes)
        }
        job.start()
    }

    /// Closes the connection idle longest to make room for a new one; false when every
    /// connection has queries in progress (the new one is then refused).
    func makeRoomForTCPConnection() -> Bool {
        guard tcpConnections.count >= Self.maxTCPConnections else { return true }
        var oldest: TCPQueryHandler?
        for handler in tcpConnections.values where handler.isIdle {
            if oldest.map({ handler.lastActivity < $0.lastActivity }) ?? true { oldest = handler }
        }
        guard let oldest else { return false }
        oldest.closeForEviction()
        return true
    }
}
