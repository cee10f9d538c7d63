import BerthAddress
import BerthFirewall
import BerthNetlink
import BerthStore

/// What a runtime-facing front end (CNI, a Podman backend) needs beyond the CLI's verbs:
/// attachments identified by the runtime's `(containerID, ifname)` rather than by a namespace,
/// verification, garbage collection and readiness.
extension Engine {
    /// Detaches `containerID`'s `ifname` from `network`. Idempotent and best effort: a missing
    /// network, endpoint, namespace or link is not an error, so a runtime may call it any number
    /// of times, also after the container's namespace is gone. Returns true if something was removed.
    @discardableResult
    public func detach(network: String, containerID: String, ifname: String) throws -> Bool {
        try requirePrivileges()
        let lock = try beginOperation()
        let signals = TeardownSignals.block()
        defer { signals.restore(); withExtendedLifetime(lock) {} }
        let (record, endpoints) = try translating { () -> (NetworkRecord?, [EndpointRecord]) in
            guard let record = try store.network(named: network) else { return (nil, []) }
            let endpoints = try store.endpoints(network: network, containerID: containerID).filter { $0.ifname == ifname }
            for e in endpoints { try detachEndpoint(e, namespace: nil, lock: lock) }
            return (record, endpoints)
        }
        if record?.dns == true { for e in endpoints { announce(endpoint: e.id) } }
        return !endpoints.isEmpty
    }

    /// What an attachment is expected to look like, from the runtime's record of it.
    public struct AttachmentExpectation: Sendable {
        public var address: IPv4Interface?
        public var defaultGateway: IPv4Address?
        public var mac: MACAddress?
        public var address6: IPv6Interface?
        public var defaultGateway6: IPv6Address?
        public init(address: IPv4Interface?, defaultGateway: IPv4Address?, mac: MACAddress?,
                    address6: IPv6Interface? = nil, defaultGateway6: IPv6Address? = nil) {
            self.address = address
            self.defaultGateway = defaultGateway
            self.mac = mac
            self.address6 = address6
            self.defaultGateway6 = defaultGateway6
        }
    }

    /// Verifies that the attachment of `containerID`'s `ifname` to the network `spec` defines
    /// is intact: the namespace at `namespacePath` (else ``BerthError/target(_:)``), the network
    /// agreeing with `spec` (else ``BerthError/configuration(_:)``), the lease in the store, the
    /// kernel side as its driver made it (for a bridge: the host veth on the bridge, the
    /// interface in the namespace with its MAC, address and default route), and the network's
    /// firewall rules. Throws ``BerthError/notFound(_:)`` naming the first thing missing or
    /// different.
    public func verifyAttachment(_ spec: NetworkSpec, containerID: String, ifname: String,
                                 namespacePath: String, expected: AttachmentExpectation) throws {
        let namespace = try environment.openNamespace(.path(namespacePath))
        let name = spec.name
        guard let n = try translating({ try store.network(named: name) }) else {
            throw BerthError.notFound("network '\(Validation.printable(name))' does not exist")
        }
        try Engine.checkAgreement(n, spec)
        guard let e = try translating({ try store.endpoints(network: name, containerID: containerID).first { $0.ifname == ifname } }) else {
            throw BerthError.notFound("no lease for container \(containerID) interface \(ifname) on network '\(name)'")
        }
        guard e.state == .active else { throw BerthError.notFound("endpoint \(e.id) is \(e.state.rawValue), not active") }
        if let want = expected.address, want != e.interface {
            throw BerthError.notFound("lease is \(e.interface.map { "\($0)" } ?? "no IPv4 address"), the runtime recorded \(want)")
        }
        if let want = expected.address6, want != e.interface6 {
            throw BerthError.notFound("lease is \(e.interface6.map { "\($0)" } ?? "no IPv6 address"), the runtime recorded \(want)")
        }
        let driver = try self.driver(of: n)
        try translating {
            try driver.verify(e, network: n, namespace: namespace, mac: expected.mac ?? e.mac,
                              defaultGateway: expected.defaultGateway, defaultGateway6: expected.defaultGateway6)
        }
        let firewall = firewall(of: n)
        guard firewall.hasRules(forNetworkID: n.id) else {
            throw BerthError.notFound("firewall rules of network '\(name)' are missing")
        }
        if firewall.health().dockerAcceptMissing {
            throw BerthError.notFound("Berth's accept rule in Docker's \(DockerAccept.chain) chain is missing")
        }
    }

    /// Releases every attachment that CNI made on `network` whose `(containerID, ifname)` is not
    /// in `valid`: its link, its lease and anything else it holds. Endpoints made otherwise (a
    /// user's `berth network connect` on a network of the same name) are not the runtime's to
    /// collect. Returns the endpoints removed.
    @discardableResult
    public func releaseAttachments(network: String, except valid: [(containerID: String, ifname: String)]) throws -> [EndpointInfo] {
        try requirePrivileges()
        let lock = try beginOperation()
        let signals = TeardownSignals.block()
        defer { signals.restore(); withExtendedLifetime(lock) {} }
        let (dns, removed) = try translating { () -> (Bool, [EndpointInfo]) in
            guard let record = try store.network(named: network) else { return (false, []) }
            let keep = Set(valid.map { $0.containerID + "\u{0}" + $0.ifname })
            // An endpoint still `creating` belongs to an ADD running right now (its runtime has not
            // heard back yet, so it cannot list it); crashed ones are `berth gc`'s business.
            let stale = try store.endpoints(network: network).filter {
                $0.owner == .cni && $0.state != .creating && !keep.contains($0.containerID + "\u{0}" + $0.ifname)
            }
            try removeEndpoints(stale)
            return (record.dns, stale.map(EndpointInfo.init))
        }
        if dns && !removed.isEmpty { announce(network: network) }
        return removed
    }

    /// Why ADD would not work right now, if it would not.
    public enum Readiness: Sendable, Equatable {
        /// ADD would work.
        case ready
        /// ADD cannot work (no privileges, state unreadable, device name taken by another device).
        case unavailable(String)
        /// ADD cannot work and existing containers may have limited connectivity (their
        /// network's firewall rules or device are gone).
        case degraded(String)
    }

    /// Whether ADD on `spec`'s network would work: privileges, a readable and writable state
    /// (its file system neither read-only nor full), the network agreeing with `spec`, its
    /// device present (or its name free so it can be recreated) and its firewall rules
    /// installed. Changes nothing.
    public func readiness(for spec: NetworkSpec) -> Readiness {
        guard environment.hasNetAdmin() else { return .unavailable("berth needs CAP_NET_ADMIN") }
        let existing: NetworkRecord?
        let attached: Int
        do {
            existing = try store.network(named: spec.name)
            attached = try store.endpointCount(network: spec.name)
        } catch {
            return .unavailable("state store is not readable: \(error)")
        }
        if let problem = Store.writeProblem(directory: settings.stateDirectory) {
            return .unavailable(problem)
        }
        let driver: any NetworkDriver
        do { driver = try self.driver(named: existing?.driver ?? spec.driver ?? "bridge") } catch { return .unavailable("\(error)") }
        guard let n = existing else {
            // Created on first ADD: only the device name must be free.
            if let device = spec.bridge, let problem = driver.deviceProblem(device: device, network: nil, attached: 0) {
                return problem
            }
            return .ready
        }
        do { try Engine.checkAgreement(n, spec) } catch { return .unavailable("\(error)") }
        if case .unavailable(let m)? = driver.deviceProblem(device: n.bridge, network: n, attached: 0) {
            return .unavailable(m)
        }
        let firewall = firewall(of: n)
        if !firewall.hasRules(forNetworkID: n.id) {
            return .degraded("firewall rules of network '\(n.name)' are missing")
        }
        if firewall.health().dockerAcceptMissing {
            return .degraded("Berth's accept rule in Docker's \(DockerAccept.chain) chain is missing")
        }
        return driver.deviceProblem(device: n.bridge, network: n, attached: attached) ?? .ready
    }
}
