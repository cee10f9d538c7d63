import BerthJSON

/// Reading ``NetworkOptions`` from the JSON Podman writes. Missing members and `null` are
/// absent (Go writes `null` for an empty list); members of the wrong type are errors naming
/// the member.
extension NetworkOptions {
    /// Parses the document; throws ``JSONSyntaxError`` or ``JSONShapeError``.
    init(json bytes: [UInt8]) throws {
        let f = try JSONFields(JSONParser.parse(bytes), path: "")
        self.init(
            containerID: try f.requiredString("container_id"),
            containerName: try f.string("container_name") ?? "",
            portMappings: try f.objects("port_mappings", PortMappingEntry.init(fields:)) ?? [],
            networks: (try f.map("networks") { _, n, path in try PerNetworkOptions(fields: JSONFields(n, path: path)) } ?? []).map { (name: $0.name, options: $0.value) },
            networkInfo: (try f.map("network_info") { name, n, path in try Network(fields: JSONFields(n, path: path), name: name) } ?? []).map { (name: $0.name, network: $0.value) },
            dnsServers: try f.strings("dns_servers") ?? [])
    }
}

extension PortMappingEntry {
    init(fields f: JSONFields) throws {
        guard let containerPort = try f.int("container_port") else { throw JSONShapeError(path: f.at("container_port"), expected: "an integer") }
        guard let hostPort = try f.int("host_port") else { throw JSONShapeError(path: f.at("host_port"), expected: "an integer") }
        self.init(hostIP: try f.string("host_ip") ?? "", containerPort: containerPort, hostPort: hostPort,
                  range: try f.int("range") ?? 1, proto: try f.string("protocol") ?? "tcp")
    }
}

extension PerNetworkOptions {
    init(fields f: JSONFields) throws {
        self.init(staticIPs: try f.strings("static_ips") ?? [], staticMAC: try f.string("static_mac"),
                  aliases: try f.strings("aliases") ?? [], interfaceName: try f.requiredString("interface_name"))
    }
}

extension Network {
    /// `key` is the network's name in `network_info`, for a definition without `name`.
    init(fields f: JSONFields, name key: String) throws {
        let subnets: [Subnet] = try f.objects("subnets") { s in
            Subnet(subnet: try s.requiredString("subnet"), gateway: try s.string("gateway"))
        } ?? []
        let options: [(name: String, value: String)] = try f.map("options") { _, value, path in
            try Network.optionValue(value, path: path)
        } ?? []
        name = try f.string("name") ?? key
        id = try f.string("id") ?? ""
        driver = try f.requiredString("driver")
        networkInterface = try f.string("network_interface") ?? ""
        self.subnets = subnets
        ipv6Enabled = try f.bool("ipv6_enabled") ?? false
        isInternal = try f.bool("internal") ?? false
        dnsEnabled = try f.bool("dns_enabled") ?? false
        networkDNSServers = try f.strings("network_dns_servers") ?? []
        self.options = options
        ipamDriver = try f.object("ipam_options")?.string("driver")
    }

    /// An option's value as text: Podman writes strings; a number or boolean is taken as written.
    private static func optionValue(_ node: JSONNode, path: String) throws -> String {
        switch node {
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .number(let d):
            guard let n = Int(exactly: d) else { throw JSONShapeError(path: path, expected: "a string") }
            return "\(n)"
        default: throw JSONShapeError(path: path, expected: "a string")
        }
    }
}
