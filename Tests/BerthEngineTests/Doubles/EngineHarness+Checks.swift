@testable import BerthEngine
import BerthAddress
import BerthFirewall
import BerthStore
import XCTest

/// Shortcuts for the steps most tests take, each from a fresh engine (a new process), and the
/// checks every test states its outcome with: what the store, the fake kernel and the fake
/// firewalls hold.
extension EngineHarness {
    /// Creates a network.
    @discardableResult
    func createNetwork(_ name: String, subnet: String? = "10.88.0.0/24", firewall: FirewallKind = .nftables,
                       bridge: String? = nil) throws -> NetworkInfo {
        var spec = NetworkSpec(name: name, subnet: subnet.flatMap { IPv4Subnet($0) }, bridge: bridge)
        spec.firewall = firewall.rawValue
        return try engine().createNetwork(spec)
    }

    /// Creates a network with IPv6: `subnet6`, or a unique local /64 of the store's prefix when
    /// nil; dual stack with an IPv4 `subnet`, IPv6-only without one.
    @discardableResult
    func createNetwork6(_ name: String, subnet6: String? = nil, subnet: String? = "10.88.0.0/24",
                        ipRange6: String? = nil) throws -> NetworkInfo {
        var spec = NetworkSpec(name: name, subnet: subnet.flatMap { IPv4Subnet($0) })
        spec.subnet6 = subnet6.flatMap { IPv6Subnet($0) }
        spec.ipRange6 = ipRange6.flatMap { IPv6Subnet($0) }
        (spec.ipv4, spec.ipv6) = (subnet != nil, true)
        return try engine().createNetwork(spec)
    }

    /// Connects `container` (a fake namespace's name) to `network`.
    @discardableResult
    func connect(_ container: String, to network: String, ifname: String = "eth0", address: String? = nil,
                 address6: String? = nil, ports: [PortMapping] = [], frontEnd: FrontEnd = .cli) throws -> Attachment {
        var request = ConnectRequest(network: .named(network), target: .user(container), ifname: ifname,
                                     address: address.flatMap { IPv4Address($0) }, containerID: container,
                                     ports: ports, frontEnd: frontEnd)
        request.address6 = address6.flatMap { IPv6Address($0) }
        return try engine().connect(request)
    }

    /// What the store holds now.
    func endpoints() throws -> [EndpointRecord] { try store().endpoints() }
    func networkNames() throws -> Set<String> { Set(try store().networks().map(\.name)) }
    func ports() throws -> [PortRecord] { try store().ports() }

    /// Everything a refused request must leave as it was: the store's rows (cursors included),
    /// the kernel, both firewalls.
    struct State: Equatable {
        let networks: [NetworkRecord]
        let endpoints: [EndpointRecord]
        let ports: [PortRecord]
        let kernel: FakeKernel
        let rules: [FakeFirewall.Rules]
    }

    /// What the store, the kernel and the firewalls hold now.
    func state() throws -> State {
        let store = try store()
        return State(networks: try store.networks(), endpoints: try store.endpoints(), ports: try store.ports(),
                     kernel: driver.kernel, rules: [nftables.rules, noFirewall.rules])
    }

    /// Fails unless the store, the kernel and the firewalls are as they were `before`.
    func assertUnchanged(since before: State, _ context: String = "", file: StaticString = #filePath,
                         line: UInt = #line) throws {
        XCTAssertEqual(try state(), before, "\(context) changed something", file: file, line: line)
    }

    /// Fails unless no endpoint is left anywhere: no row, no lease, no port in the store or in
    /// either firewall, no link in the kernel.
    func assertNoEndpointLeft(file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try endpoints().map(\.id), [], "endpoint rows", file: file, line: line)
        XCTAssertEqual(try ports().count, 0, "port rows", file: file, line: line)
        XCTAssertEqual(Array(driver.kernel.links.keys), [], "links in the kernel", file: file, line: line)
        XCTAssertEqual(nftables.rules.ports, [], "published ports", file: file, line: line)
        XCTAssertEqual(noFirewall.rules.ports, [], "published ports (no firewall)", file: file, line: line)
    }

    /// Fails unless the store, the kernel and the firewalls agree (see ``inconsistencies()``).
    func assertConsistent(file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try inconsistencies(), [], file: file, line: line)
    }

    /// Where the store, the kernel and the firewalls disagree: an endpoint half-way
    /// (`creating`, `removing`), an endpoint without a link in service or a link without an
    /// endpoint, a network without a device or a device without a network, a firewall that
    /// renders other networks or ports than the store's.
    func inconsistencies() throws -> [String] {
        let store = try store()
        let endpoints = try store.endpoints()
        let networks = try store.networks()
        let kernel = driver.kernel
        var found: [String] = []
        func differ<T: Hashable>(_ what: String, kernel: Set<T>, store: Set<T>) {
            if kernel != store { found.append("\(what): \(kernel.sorted { "\($0)" < "\($1)" }) against the store's \(store.sorted { "\($0)" < "\($1)" })") }
        }
        found += endpoints.filter { $0.state != .active }.map { "endpoint \($0.id) is \($0.state)" }
        found += kernel.links.filter { $0.value.state != .present }.map { "link \($0.key) is \($0.value.state)" }
        differ("links", kernel: Set(kernel.links.keys), store: Set(endpoints.map(\.hostIfname)))
        differ("devices", kernel: Set(kernel.devices.keys), store: Set(networks.map(\.bridge)))
        let ports = try store.ports()
        for kind in FirewallKind.allCases {
            let names = Set(networks.filter { $0.firewall == kind.rawValue }.map(\.name))
            differ("\(kind) networks", kernel: firewall(kind).networkNames, store: names)
            differ("\(kind) ports", kernel: firewall(kind).rules.ports,
                   store: Set(ports.filter { names.contains($0.network) }.flatMap(PortElement.elements)))
        }
        return found
    }
}

/// A host port mapping to container port 80, TCP.
func port(_ host: UInt16, count: UInt16 = 1) -> PortMapping {
    PortMapping(hostPort: host, containerPort: 80, count: count, proto: .tcp)
}
