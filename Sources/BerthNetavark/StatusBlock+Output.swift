import BerthEngine
import BerthJSON

extension StatusBlock {
    /// What `setup` reports for one attachment: the container's interface, its addresses with
    /// the network's gateways (IPv4 first), and the name service when the network has one.
    init(_ a: Attachment) {
        var subnets: [(ipnet: String, gateway: String?)] = []
        if let address = a.endpoint.address { subnets.append((ipnet: "\(address)", gateway: a.network.gateway.map { "\($0)" })) }
        if let address = a.endpoint.address6 { subnets.append((ipnet: "\(address)", gateway: a.network.gateway6.map { "\($0)" })) }
        let mac = a.containerInterface.mac ?? a.endpoint.mac
        self.init(dnsSearchDomains: a.network.dns ? [a.network.dnsDomain] : [],
                  dnsServerIPs: a.network.nameservers.map { "\($0)" },
                  interfaces: [(name: a.endpoint.ifname, interface: NetInterface(macAddress: "\(mac)", subnets: subnets))])
    }

    /// `{NAME: StatusBlock, …}` as netavark prints it: serde's pretty layout (two spaces,
    /// `": "`), its field order (`gateway` before `ipnet`), no `gateway` when there is none.
    static func json(_ blocks: [(network: String, block: StatusBlock)]) -> String {
        let w = JSONWriter(style: .pretty)
        w.object {
            for (network, block) in blocks {
                w.object(network) {
                    w.array("dns_search_domains") { for d in block.dnsSearchDomains { w.string(d) } }
                    w.array("dns_server_ips") { for s in block.dnsServerIPs { w.string(s) } }
                    w.object("interfaces") {
                        for (name, interface) in block.interfaces {
                            w.object(name) {
                                w.field("mac_address", interface.macAddress)
                                w.array("subnets") {
                                    for s in interface.subnets {
                                        w.object {
                                            if let g = s.gateway { w.field("gateway", g) }
                                            w.field("ipnet", s.ipnet)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return w.text
    }
}
