import BerthAddress
import BerthFirewall
import BerthNetlink
import BerthStore

/// What a runtime-facing front end (CNI) needs beyond the CLI's verbs: attachments identified by
/// the runtime's `(containerID, ifname)` rather than by a namespace, network creation that
/// tolerates an existing, agreeing definition, verification, garbage collection and readiness.
extension Engine {
    /// The endpoint of `containerID`'s `ifname` on `network`, or nil.
    public func attachment(network: String, containerID: String, ifname: String) throws -> EndpointRecord? {
        try translating {
            try store.endpoints(network: network, containerID: containerID).first { $0.ifname == ifname }
        }
    }

    /// Detaches `containerID`'s `ifname` from `network`. Idempotent and best effort: a missing
    /// network, endpoint, namespace or veth is not an error, so a runtime may call it any number
    /// of times, also after the container's namespace is gone. Returns true if something was removed.
    @discardableResult
    public func detach(network: String, containerID: String, ifname: String) throws -> Bool {
        try Capabilities.requireNetAdmin()
        let lock = try beginOperation()
        let signals = TeardownSignals.block()
        defer { signals.restore(); withExtendedLifetime(lock) {} }
        return try translating {
            guard try store.network(named: network) != nil else { return false }
            let endpoints = try store.endpoints(network: network, containerID: containerID).filter { $0.ifname == ifname }
            // One at most; its veth is deleted in the background (see ``detachEndpoint(_:namespace:lock:)``).
            for e in endpoints { try detachEndpoint(e, namespace: nil, lock: lock) }
            return !endpoints.isEmpty
        }
    }

    /// The network named in `spec`, created from it if missing. An existing network must agree
    /// with every property the spec states; otherwise ``BerthError/conflict(_:)`` names the first
    /// difference. Safe against another process creating it at the same moment.
    /// `created` tells whether this call made it (so a failed ADD can take it away again).
    public func ensureNetwork(_ spec: NetworkSpec) throws -> (network: NetworkRecord, created: Bool) {
        if let existing = try translating({ try store.network(named: spec.name) }) {
            try Engine.checkAgreement(existing, spec)
            return (existing, false)
        }
        do {
            return (try createNetwork(spec), true)
        } catch BerthError.conflict(let message) {
            // Lost a race against a concurrent creator: use theirs if it agrees.
            guard let existing = try translating({ try store.network(named: spec.name) }) else {
                throw BerthError.conflict(message)
            }
            try Engine.checkAgreement(existing, spec)
            return (existing, false)
        }
    }

    /// Throws a conflict naming the first property `spec` states differently from `n`.
    /// Unstated properties (nil subnet, gateway, range, bridge; MTU 0) agree with anything.
    public static func checkAgreement(_ n: NetworkRecord, _ spec: NetworkSpec) throws {
        func differ(_ what: String, _ have: String, _ want: String) -> BerthError {
            .conflict("network '\(n.name)' exists with \(what) \(have), the configuration asks for \(want)")
        }
        if let s = spec.subnet, s != n.subnet { throw differ("subnet", "\(n.subnet)", "\(s)") }
        if let g = spec.gateway, g != n.gateway { throw differ("gateway", "\(n.gateway)", "\(g)") }
        if let r = spec.ipRange, r != n.ipRange { throw differ("ip range", n.ipRange.map { "\($0)" } ?? "(whole subnet)", "\(r)") }
        if let b = spec.bridge, b != n.bridge { throw differ("bridge", n.bridge, b) }
        if spec.mtu != 0, spec.mtu != n.mtu { throw differ("MTU", "\(n.mtu)", "\(spec.mtu)") }
        if spec.isInternal != n.isInternal { throw differ("internal", "\(n.isInternal)", "\(spec.isInternal)") }
        if !spec.isInternal, spec.masquerade != n.masquerade { throw differ("masquerade", "\(n.masquerade)", "\(spec.masquerade)") }
    }

    /// The host-side view of a link (for a result's MAC addresses), or nil if it does not exist.
    /// A bridge that this engine's connect just looked up is answered from that lookup.
    public func hostLink(name: String) throws -> LinkInfo? {
        if let lastBridge, lastBridge.name == name { return lastBridge }
        return try translating { try host().link(name: name) }
    }

    /// What an attachment is expected to look like, from the runtime's record of it.
    public struct AttachmentExpectation: Sendable {
        public var address: IPv4Interface?
        public var defaultGateway: IPv4Address?
        public var mac: MACAddress?
        public init(address: IPv4Interface?, defaultGateway: IPv4Address?, mac: MACAddress?) {
            self.address = address
            self.defaultGateway = defaultGateway
            self.mac = mac
        }
    }

    /// Verifies that the attachment of `containerID`'s `ifname` is intact: the lease in the store,
    /// the host veth on the bridge, the interface in `namespace` with its MAC, address and default
    /// route, and the network's firewall rules. Throws ``BerthError/notFound(_:)`` naming the
    /// first thing missing or different.
    public func verifyAttachment(network name: String, containerID: String, ifname: String,
                                 namespace: NetworkNamespace, expected: AttachmentExpectation) throws {
        let n = try network(named: name)
        guard let e = try attachment(network: name, containerID: containerID, ifname: ifname) else {
            throw BerthError.notFound("no lease for container \(containerID) interface \(ifname) on network '\(name)'")
        }
        func missing(_ what: String) -> BerthError { .notFound(what) }
        guard e.state == .active else { throw missing("endpoint \(e.id) is \(e.state.rawValue), not active") }
        if let want = expected.address, want.address != e.address || want.prefixLength != e.prefixLength {
            throw missing("lease is \(e.address)/\(e.prefixLength), the runtime recorded \(want)")
        }
        try translating {
            let session = try host()
            guard let bridge = try session.link(name: n.bridge), bridge.kind == "bridge" else {
                throw missing("bridge \(n.bridge) of network '\(name)' is missing")
            }
            guard let veth = try session.link(name: e.hostIfname) else { throw missing("host veth \(e.hostIfname) is missing") }
            guard veth.master == bridge.index else { throw missing("host veth \(e.hostIfname) is not a port of \(n.bridge)") }
            guard veth.isUp else { throw missing("host veth \(e.hostIfname) is down") }

            let container = try RouteSession(in: namespace)
            guard let link = try container.link(name: ifname) else {
                throw missing("interface \(ifname) is missing in \(namespace.path)")
            }
            guard link.isUp else { throw missing("interface \(ifname) is down") }
            let mac = expected.mac ?? e.mac
            if let have = link.mac, have != mac { throw missing("interface \(ifname) has MAC \(have), expected \(mac)") }
            let want = IPv4Interface(address: e.address, prefixLength: e.prefixLength)
            guard try container.addresses().contains(where: { $0.index == link.index && $0.address == want }) else {
                throw missing("interface \(ifname) lacks address \(want)")
            }
            if let gateway = expected.defaultGateway {
                guard try container.routes().contains(where: {
                    $0.destination.prefixLength == 0 && $0.gateway == gateway && $0.outputIndex == link.index
                }) else { throw missing("no default route via \(gateway) on \(ifname)") }
            }
        }
        // A missing table is an error from nft; both mean the rules are gone.
        let rules = (try? firewall().run("list table inet berth")) ?? ""
        guard rules.contains(n.id) else { throw missing("firewall rules of network '\(name)' are missing") }
        if (try? FirewallHealth.probe())?.dockerAcceptMissing == true {
            throw missing("Berth's accept rule in Docker's \(DockerAccept.chain) chain is missing")
        }
    }

    /// Releases every attachment that CNI made on `network` whose `(containerID, ifname)` is not
    /// in `valid`: its veth, its lease and anything else it holds. Endpoints made otherwise (a
    /// user's `berth network connect` on a network of the same name) are not the runtime's to
    /// collect. Returns the endpoints removed.
    @discardableResult
    public func releaseAttachments(network: String, except valid: [(containerID: String, ifname: String)]) throws -> [EndpointRecord] {
        try Capabilities.requireNetAdmin()
        let lock = try beginOperation()
        let signals = TeardownSignals.block()
        defer { signals.restore(); withExtendedLifetime(lock) {} }
        return try translating {
            guard try store.network(named: network) != nil else { return [] }
            let keep = Set(valid.map { $0.containerID + "\u{0}" + $0.ifname })
            // An endpoint still `creating` belongs to an ADD running right now (its runtime has not
            // heard back yet, so it cannot list it); crashed ones are `berth gc`'s business.
            let stale = try store.endpoints(network: network).filter {
                $0.owner == .cni && $0.state != .creating && !keep.contains($0.containerID + "\u{0}" + $0.ifname)
            }
            try removeEndpoints(stale)
            return stale
        }
    }

    /// Why ADD would not work right now, if it would not.
    public enum Readiness: Sendable, Equatable {
        /// ADD would work.
        case ready
        /// ADD cannot work (no privileges, state unreadable, bridge name taken by another device).
        case unavailable(String)
        /// ADD cannot work and existing containers may have limited connectivity (their
        /// network's firewall rules or bridge are gone).
        case degraded(String)
    }

    /// Whether ADD on `spec`'s network would work: privileges, a readable and writable state
    /// (its file system neither read-only nor full), the network
    /// agreeing with `spec`, its bridge present (or its name free so it can be recreated) and
    /// its firewall rules installed. Changes nothing.
    public func readiness(for spec: NetworkSpec) -> Readiness {
        guard Capabilities.hasNetAdmin() else { return .unavailable("berth needs CAP_NET_ADMIN") }
        let existing: NetworkRecord?
        do {
            existing = try store.network(named: spec.name)
            _ = try store.endpointCount(network: spec.name)
        } catch {
            return .unavailable("state store is not readable: \(error)")
        }
        if let problem = Store.writeProblem(directory: configuration.stateDirectory) {
            return .unavailable(problem)
        }
        guard let n = existing else {
            // Created on first ADD: only the bridge name must be free.
            if let bridge = spec.bridge, let link = try? host().link(name: bridge) {
                return .unavailable("interface \(link.name) exists and does not belong to a berth network")
            }
            return .ready
        }
        do { try Engine.checkAgreement(n, spec) } catch { return .unavailable("\(error)") }
        let link: LinkInfo?
        do { link = try host().link(name: n.bridge) } catch { return .unavailable("netlink: \(error)") }
        if let link, link.kind != "bridge" {
            return .unavailable("interface \(n.bridge) exists and is not a bridge")
        }
        let rules = (try? firewall().run("list table inet berth")) ?? ""
        if !rules.contains(n.id) {
            return .degraded("firewall rules of network '\(n.name)' are missing")
        }
        if (try? FirewallHealth.probe())?.dockerAcceptMissing == true {
            return .degraded("Berth's accept rule in Docker's \(DockerAccept.chain) chain is missing")
        }
        if link == nil, (try? store.endpointCount(network: n.name)) ?? 0 > 0 {
            return .degraded("bridge \(n.bridge) of network '\(n.name)' is missing while containers are attached")
        }
        return .ready
    }
}
