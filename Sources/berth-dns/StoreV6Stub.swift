// TEMPORARY: the schema v6 names of docs/dns.md until the engine helper's store lands. Every
// network but `bridge` has DNS; an endpoint's name is its container id. Deleted on merge.
import BerthAddress
import BerthStore

extension NetworkRecord {
    var dns: Bool { name != "bridge" }
    var dnsDomain: String { "berth.internal" }
    var dnsServers: [IPAddress] { [] }
}

extension EndpointRecord {
    var dnsName: String? { containerID }
    var aliases: [String] { [] }
}

extension Store {
    func dnsNetworks() throws -> [NetworkRecord] { try networks().filter(\.dns) }
    func dnsEndpoints() throws -> [EndpointRecord] {
        let names = Set(try dnsNetworks().map(\.name))
        return try endpoints().filter { names.contains($0.network) && $0.state == .active }
    }
    func dataVersion() throws -> Int64 { 0 }
}
