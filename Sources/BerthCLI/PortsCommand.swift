import ArgumentParser
import BerthAddress
import BerthEngine

/// `berth ports`: every published port, one line per published mapping (ranges folded).
struct PortsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ports", abstract: "List published ports.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Only this network's ports.") var network: String?
    @Option(help: "Output format.") var format: OutputFormat = .table

    func run() throws {
        // One row per family a publication reaches: a port published on every address of a
        // dual-stack container is one IPv4 row and one IPv6 row.
        let rows = try global.withEngine { try $0.publishedPorts(network: network) }.flatMap { owner in
            var rows: [(owner: PublishedPort, host: IPAddress, container: IPAddress)] = []
            let m = owner.mapping
            if let v4 = owner.containerAddress, m.covers(.ipv4) {
                rows.append((owner, m.hostIP ?? .v4(IPv4Address(0)), .v4(v4)))
            }
            if let v6 = owner.containerAddress6, m.covers(.ipv6) {
                rows.append((owner, m.hostIP ?? .v6(.unspecified), .v6(v6)))
            }
            return rows
        }
        switch format {
        case .json:
            printJSON(.array(rows.map { row in
                var members: [(String, JSONValue)] = [
                    ("network", .string(row.owner.network)), ("name", .string(row.owner.containerID)),
                    ("endpoint", .string(row.owner.endpoint)), ("containerIP", .string("\(row.container)")),
                ]
                var mapping = row.owner.mapping
                mapping.hostIP = row.host
                if case .object(let port) = mapping.json { members += port }
                return .object(members)
            }))
        case .table:
            printTable(["NETWORK", "NAME", "HOST", "CONTAINER", "PROTOCOL"], rows.map { row in
                let m = row.owner.mapping
                return [row.owner.network, row.owner.containerID,
                        "\(row.host.bracketedDescription):\(range(m.hostPort, m.count))",
                        "\(row.container.bracketedDescription):\(range(m.containerPort, m.count))", m.proto.rawValue]
            })
        }
    }

    private func range(_ start: UInt16, _ count: UInt16) -> String {
        count > 1 ? "\(start)-\(Int(start) + Int(count) - 1)" : "\(start)"
    }
}

extension PortMapping {
    /// The JSON shape of a published mapping. `hostIP` is `0.0.0.0` for every local IPv4
    /// address, `::` for every IPv6 one, and empty for every address of both families (which
    /// `json(families:)` narrows to the families a container has).
    var json: JSONValue { json(families: [.ipv4, .ipv6]) }

    /// The JSON shape for a container with addresses of `families` only.
    func json(families: Set<IPFamily>) -> JSONValue {
        let any: String = families == [.ipv4] ? "0.0.0.0" : families == [.ipv6] ? "::" : ""
        return .object([
            ("hostIP", .string(hostIP.map { "\($0)" } ?? any)), ("hostPort", .int(Int64(hostPort))),
            ("containerPort", .int(Int64(containerPort))), ("count", .int(Int64(count))),
            ("protocol", .string(proto.rawValue)),
        ])
    }
}
