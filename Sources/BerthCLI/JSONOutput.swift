import BerthAddress
import BerthEngine

/// The JSON shape of an endpoint, as `connect`, `endpoints` and `network inspect` print it.
struct EndpointView {
    let id: String
    let network: String
    let name: String
    let ifname: String
    let hostIfname: String
    let ipv4: String
    let ipv6: String
    let gateway: String
    let gateway6: String
    /// The families the endpoint has addresses of (how its ports' "every address" reads).
    let families: Set<IPFamily>
    let mac: String
    let netns: String
    let target: String
    let state: String
    /// Published ports (filled by the commands that show them).
    var ports: [PortMapping] = []
    /// The container's aliases in the network's name service.
    let aliases: [String]
    /// `connect`'s `"dns"` member on a network with a name service (see ``dnsJSON(_:)``).
    var dns: JSONValue?

    init(_ e: EndpointInfo, gateway: IPv4Address?, gateway6: IPv6Address? = nil) {
        id = e.id
        network = e.network
        name = e.containerID
        ifname = e.ifname
        hostIfname = e.hostIfname
        ipv4 = e.address.map { "\($0)" } ?? ""
        ipv6 = e.address6.map { "\($0)" } ?? ""
        self.gateway = e.address == nil ? "" : gateway.map { "\($0)" } ?? ""
        self.gateway6 = e.address6 == nil ? "" : gateway6.map { "\($0)" } ?? ""
        families = Set((e.address != nil ? [IPFamily.ipv4] : []) + (e.address6 != nil ? [.ipv6] : []))
        mac = e.mac.description
        netns = e.namespacePath
        target = e.target
        state = e.state
        aliases = e.aliases
    }

    var json: JSONValue {
        .object([
            ("id", .string(id)), ("network", .string(network)), ("name", .string(name)),
            ("ifname", .string(ifname)), ("hostIfname", .string(hostIfname)), ("ipv4", .string(ipv4)),
            ("ipv6", .string(ipv6)), ("gateway", .string(gateway)), ("gateway6", .string(gateway6)), ("mac", .string(mac)), ("netns", .string(netns)),
            ("target", .string(target)), ("state", .string(state)),
            ("ports", .array(ports.map { $0.json(families: families) })),
        ] + (aliases.isEmpty ? [] : [("aliases", .array(aliases.map(JSONValue.string)))])
          + (dns.map { [("dns", $0)] } ?? []))
    }
}

/// The JSON shape of a network in `network inspect`.
struct NetworkView {
    let network: NetworkInfo
    let endpoints: [EndpointInfo]
    /// Published ports of the endpoints.
    let ports: [PublishedPort]

    init(_ n: NetworkInfo, endpoints: [EndpointInfo], ports: [PublishedPort]) {
        network = n
        self.endpoints = endpoints
        self.ports = ports
    }

    var json: JSONValue {
        let n = network
        return .object([
            ("name", .string(n.name)), ("id", .string(n.id)), ("driver", .string(n.driver)),
            ("firewall", .string(n.firewall)), ("bridge", .optional(n.parent.isEmpty ? n.device : nil)),
            ("parent", .optional(n.parent.isEmpty ? nil : n.parent)),
            ("options", .object(n.driverOptions.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            ("subnet", .optional(n.subnet.map { "\($0)" })), ("gateway", .optional(n.gateway.map { "\($0)" })),
            ("ipRange", .optional(n.ipRange.map { "\($0)" })),
            ("subnet6", .optional(n.subnet6.map { "\($0)" })), ("gateway6", .optional(n.gateway6.map { "\($0)" })),
            ("ipRange6", .optional(n.ipRange6.map { "\($0)" })), ("ipv6Nat", .bool(n.subnet6 != nil && n.masquerade6)), ("mtu", .int(Int64(n.mtu))),
            ("internal", .bool(n.isInternal)), ("masquerade", .bool(n.masquerade)),
            ("icc", .bool(n.icc)), ("isolate", .bool(n.isolated)),
            ("labels", .object(n.labels.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
            ("created", .int(n.created)),
            ("dns", .bool(n.dns)), ("dnsDomain", .string(n.dnsDomain)),
            ("dnsServers", .array(n.dnsServers.map { .string("\($0)") })),
            ("owner", .string(n.owner)), ("routeMetric", .int(Int64(n.routeMetric))),
            ("endpoints", .array(endpoints.map { e in
                var view = EndpointView(e, gateway: n.gateway, gateway6: n.gateway6)
                view.ports = ports.filter { $0.endpoint == e.id }.map(\.mapping)
                return view.json
            })),
        ])
    }
}

/// The JSON shape of a network in `network ls --format json`.
struct NetworkSummaryView {
    let network: NetworkInfo
    let endpointCount: Int

    var json: JSONValue {
        let n = network
        return .object([
            ("name", .string(n.name)), ("id", .string(n.id)), ("driver", .string(n.driver)),
            ("bridge", .optional(n.parent.isEmpty ? n.device : nil)), ("parent", .optional(n.parent.isEmpty ? nil : n.parent)),
            ("subnet", .optional(n.subnet.map { "\($0)" })), ("gateway", .optional(n.gateway.map { "\($0)" })),
            ("subnet6", .optional(n.subnet6.map { "\($0)" })), ("gateway6", .optional(n.gateway6.map { "\($0)" })),
            ("internal", .bool(n.isInternal)), ("endpoints", .int(Int64(endpointCount))),
        ])
    }
}

/// Prints rows as aligned columns under a header.
func printTable(_ header: [String], _ rows: [[String]]) {
    var widths = header.map(\.count)
    for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
    for row in [header] + rows {
        let cells = row.enumerated().map { i, cell in
            i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
        }
        print(cells.joined(separator: "  "))
    }
}
