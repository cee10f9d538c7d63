import BerthJSON
/// Reading the configuration from JSON text (see ``JSONParser`` for why it is not `Codable`).
/// Missing members and `null` are absent; members of the wrong type are errors naming the member.
extension CNIConfig {
    /// Parses a network configuration; throws ``JSONSyntaxError`` or ``JSONShapeError``.
    init(json bytes: [UInt8]) throws {
        let f = try JSONFields(JSONParser.parse(bytes), path: "")
        self.init(
            cniVersion: try f.string("cniVersion"), name: try f.string("name"), type: try f.string("type"),
            bridge: try f.string("bridge"), mtu: try f.int("mtu"), ipMasq: try f.bool("ipMasq"),
            isGateway: try f.bool("isGateway"), isDefaultGateway: try f.bool("isDefaultGateway"),
            hairpinMode: try f.bool("hairpinMode"), subnet: try f.string("subnet"), gateway: try f.string("gateway"),
            ipRange: try f.string("ipRange"), internal: try f.bool("internal"), stateDir: try f.string("stateDir"),
            firewall: try f.string("firewall"), dns: try f.bool("dns"), dnsDomain: try f.string("dnsDomain"),
            driver: try f.string("driver"), master: try f.string("master"), parent: try f.string("parent"),
            mode: try f.string("mode"), etcd: try f.string("etcd"),
            ipam: try f.object("ipam").map(IPAM.init(fields:)),
            runtimeConfig: try f.object("runtimeConfig").map(RuntimeConfig.init(fields:)),
            args: try f.object("args").map(Args.init(fields:)),
            prevResult: try f.object("prevResult").map(CNIResult.init(fields:)),
            validAttachments: try f.objects("cni.dev/valid-attachments", Attachment.init(fields:)),
            attachments: try f.objects("cni.dev/attachments", Attachment.init(fields:)))
    }
}

extension CNIConfig.IPAM {
    init(fields f: JSONFields) throws {
        self.init(type: try f.string("type"), subnet: try f.string("subnet"), rangeStart: try f.string("rangeStart"),
                  rangeEnd: try f.string("rangeEnd"), gateway: try f.string("gateway"),
                  ranges: try f.array("ranges") { node, path in
                      guard case .array(let set) = node else { throw JSONShapeError(path: path, expected: "an array of ranges") }
                      return try set.enumerated().map {
                          try CNIConfig.Range(fields: JSONFields($0.element, path: "\(path)[\($0.offset)]"))
                      }
                  },
                  routes: try f.objects("routes", CNIConfig.Route.init(fields:)))
    }
}

extension CNIConfig.Range {
    init(fields f: JSONFields) throws {
        self.init(subnet: try f.string("subnet"), rangeStart: try f.string("rangeStart"),
                  rangeEnd: try f.string("rangeEnd"), gateway: try f.string("gateway"))
    }
}

extension CNIConfig.Route {
    init(fields f: JSONFields) throws {
        guard let dst = try f.string("dst") else { throw JSONShapeError(path: f.path + ".dst", expected: "a string") }
        self.init(dst: dst, gw: try f.string("gw"))
    }
}

extension CNIConfig.RuntimeConfig {
    init(fields f: JSONFields) throws {
        self.init(ips: try f.strings("ips"), mac: try f.string("mac"),
                  portMappings: try f.objects("portMappings", CNIConfig.PortMappingEntry.init(fields:)),
                  aliases: try f.object("aliases").map { aliases in
                      try Dictionary(uniqueKeysWithValues: aliases.members.names.map { ($0, try aliases.strings($0) ?? []) })
                  })
    }
}

extension CNIConfig.PortMappingEntry {
    init(fields f: JSONFields) throws {
        guard let hostPort = try f.int("hostPort") else { throw JSONShapeError(path: f.path + ".hostPort", expected: "an integer") }
        guard let containerPort = try f.int("containerPort") else {
            throw JSONShapeError(path: f.path + ".containerPort", expected: "an integer")
        }
        self.init(hostPort: hostPort, containerPort: containerPort, protocol: try f.string("protocol"),
                  hostIP: try f.string("hostIP"))
    }
}

extension CNIConfig.Args {
    init(fields f: JSONFields) throws {
        self.init(cni: try f.object("cni").map { c in CNIKeys(ips: try c.strings("ips"), mac: try c.string("mac")) })
    }
}

extension CNIConfig.Attachment {
    init(fields f: JSONFields) throws {
        guard let containerID = try f.string("containerID") else {
            throw JSONShapeError(path: f.path + ".containerID", expected: "a string")
        }
        guard let ifname = try f.string("ifname") else { throw JSONShapeError(path: f.path + ".ifname", expected: "a string") }
        self.init(containerID: containerID, ifname: ifname)
    }
}

extension CNIResult {
    /// Lenient like the spec's consumers: every list may be missing (results from other plugins
    /// often omit them).
    init(fields f: JSONFields) throws {
        self.init(
            cniVersion: try f.string("cniVersion"),
            interfaces: try f.objects("interfaces") { i in
                guard let name = try i.string("name") else { throw JSONShapeError(path: i.path + ".name", expected: "a string") }
                return Interface(name: name, mac: try i.string("mac"), mtu: try i.int("mtu"), sandbox: try i.string("sandbox"))
            } ?? [],
            ips: try f.objects("ips") { ip in
                guard let address = try ip.string("address") else {
                    throw JSONShapeError(path: ip.path + ".address", expected: "a string")
                }
                return IPConfig(address: address, gateway: try ip.string("gateway"), interface: try ip.int("interface"))
            } ?? [],
            routes: try f.objects("routes", CNIConfig.Route.init(fields:)) ?? [],
            dns: try f.object("dns").map { d in
                var dns = DNS()
                dns.nameservers = try d.strings("nameservers")
                dns.domain = try d.string("domain")
                dns.search = try d.strings("search")
                dns.options = try d.strings("options")
                return dns
            } ?? DNS())
    }
}

/// The `cniVersion` of a VERSION request, or nil when the input is not an object with one.
func requestedVersion(_ input: [UInt8]) -> String? {
    guard let node = try? JSONParser.parse(input), let f = try? JSONFields(node, path: "") else { return nil }
    return try? f.string("cniVersion")
}
