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
        let rows = try global.withEngine { try $0.publishedPorts(network: network) }.map { (owner: $0, mapping: $0.mapping) }
        switch format {
        case .json:
            printJSON(.array(rows.map { row in
                var members: [(String, JSONValue)] = [
                    ("network", .string(row.owner.network)), ("name", .string(row.owner.containerID)),
                    ("endpoint", .string(row.owner.endpoint)), ("containerIP", .string("\(row.owner.containerAddress)")),
                ]
                if case .object(let port) = row.mapping.json { members += port }
                return .object(members)
            }))
        case .table:
            printTable(["NETWORK", "NAME", "HOST", "CONTAINER", "PROTOCOL"], rows.map { row in
                let m = row.mapping
                return [row.owner.network, row.owner.containerID,
                        "\(m.hostIP.map { "\($0)" } ?? "0.0.0.0"):\(range(m.hostPort, m.count))",
                        "\(row.owner.containerAddress):\(range(m.containerPort, m.count))", m.proto.rawValue]
            })
        }
    }

    private func range(_ start: UInt16, _ count: UInt16) -> String {
        count > 1 ? "\(start)-\(Int(start) + Int(count) - 1)" : "\(start)"
    }
}

extension PortMapping {
    /// The JSON shape of a published mapping: `hostIP` is `0.0.0.0` for every local address.
    var json: JSONValue {
        .object([
            ("hostIP", .string(hostIP.map { "\($0)" } ?? "0.0.0.0")), ("hostPort", .int(Int64(hostPort))),
            ("containerPort", .int(Int64(containerPort))), ("count", .int(Int64(count))),
            ("protocol", .string(proto.rawValue)),
        ])
    }
}
