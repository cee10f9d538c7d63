import BerthAddress
import BerthEngine
import BerthStore
import FoundationEssentials

/// The JSON shape of an endpoint, as `connect`, `endpoints` and `network inspect` print it.
struct EndpointView: Encodable {
    let id: String
    let network: String
    let name: String
    let ifname: String
    let hostIfname: String
    let ipv4: String
    let gateway: String
    let mac: String
    let netns: String
    let target: String
    let state: String

    init(_ e: EndpointRecord, gateway: IPv4Address?) {
        id = e.id
        network = e.network
        name = e.containerID
        ifname = e.ifname
        hostIfname = e.hostIfname
        ipv4 = "\(e.address)/\(e.prefixLength)"
        self.gateway = gateway.map { "\($0)" } ?? ""
        mac = "\(e.mac)"
        netns = e.netnsPath
        target = e.target
        state = e.state.rawValue
    }
}

/// The JSON shape of a network in `network inspect`.
struct NetworkView: Encodable {
    let name: String
    let id: String
    let driver = "bridge"
    let bridge: String
    let subnet: String
    let gateway: String
    let ipRange: String?
    let mtu: Int
    let `internal`: Bool
    let masquerade: Bool
    let labels: [String: String]
    let created: Int64
    let endpoints: [EndpointView]

    init(_ n: NetworkRecord, endpoints: [EndpointRecord]) {
        name = n.name
        id = n.id
        bridge = n.bridge
        subnet = "\(n.subnet)"
        gateway = "\(n.gateway)"
        ipRange = n.ipRange.map { "\($0)" }
        mtu = n.mtu
        self.internal = n.isInternal
        masquerade = n.masquerade
        labels = n.labels
        created = n.created
        self.endpoints = endpoints.map { EndpointView($0, gateway: n.gateway) }
    }

    private enum CodingKeys: String, CodingKey {
        case name, id, driver, bridge, subnet, gateway, ipRange, mtu, `internal`, masquerade, labels, created, endpoints
    }

    /// Written out so an unset `ipRange` appears as `null` instead of being left out.
    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(id, forKey: .id)
        try c.encode(driver, forKey: .driver)
        try c.encode(bridge, forKey: .bridge)
        try c.encode(subnet, forKey: .subnet)
        try c.encode(gateway, forKey: .gateway)
        try c.encode(ipRange, forKey: .ipRange)
        try c.encode(mtu, forKey: .mtu)
        try c.encode(self.internal, forKey: .internal)
        try c.encode(masquerade, forKey: .masquerade)
        try c.encode(labels, forKey: .labels)
        try c.encode(created, forKey: .created)
        try c.encode(endpoints, forKey: .endpoints)
    }
}

/// The JSON shape of a network in `network ls --format json`.
struct NetworkSummaryView: Encodable {
    let name: String
    let id: String
    let bridge: String
    let subnet: String
    let gateway: String
    let `internal`: Bool
    let endpoints: Int
}

/// Prints a value as pretty, key-sorted JSON.
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(value)
    print(String(decoding: data, as: UTF8.self))
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
