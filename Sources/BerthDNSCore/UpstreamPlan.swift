import BerthAddress
import BerthDNSWire

/// The failover schedule for forwarding one query (pure; the server drives it with real time).
///
/// Upstreams are tried in order; the server moves to the next one at once on an error reply
/// (see `judge`) or an ICMP error, and after `perAttemptTimeout` of silence, keeping earlier
/// attempts open. By `overallDeadline` without a good answer the client gets SERVFAIL: well
/// before glibc's 5 s retry, so a client never waits for nothing.
public struct UpstreamPlan: Sendable {
    /// No good answer by then: SERVFAIL.
    public static let overallDeadline: Duration = .milliseconds(3500)

    private let upstreams: [IPAddress]
    private var next = 0

    /// A plan over `upstreams`, in order.
    public init(upstreams: [IPAddress]) { self.upstreams = upstreams }

    /// How long to wait for one upstream before trying the next too: 3 s shared among the
    /// upstreams, at least 250 ms and at most 1 s.
    public var perAttemptTimeout: Duration {
        let share = Duration.seconds(3) / max(upstreams.count, 1)
        return min(max(share, .milliseconds(250)), .seconds(1))
    }

    /// The next upstream to try (in order), nil when all have been tried.
    public mutating func nextUpstream() -> IPAddress? {
        guard next < upstreams.count else { return nil }
        defer { next += 1 }
        return upstreams[next]
    }

    /// Classifies an upstream reply: .accept (NOERROR, NXDOMAIN, or anything else but the two
    /// below), .tryNext (SERVFAIL, REFUSED), .retryOverTCP (TC set).
    public static func judge(_ reply: DNSMessage) -> UpstreamVerdict {
        if reply.isTruncated { return .retryOverTCP }
        if reply.rcode == .serverFailure || reply.rcode == .refused { return .tryNext }
        return .accept
    }
}

/// What to do with an upstream's reply.
public enum UpstreamVerdict: Sendable, Equatable {
    /// Relay it to the client.
    case accept
    /// Try the next upstream now (this one failed or will not serve us).
    case tryNext
    /// Ask the same upstream again over TCP (the reply was cut).
    case retryOverTCP
}
