import XCTest
import BerthAddress
import FoundationEssentials
@testable import BerthCNI
import BerthJSON

/// Configuration translation (Podman's captured bridge config as a fixture) and result shapes.
final class ConfigAndResultTests: XCTestCase {
    /// stdin of cni-ADD-main-plugin.txt (podman-samples): Podman 4.3's bridge config, type berth.
    static let podman = #"""
        {"bridge":"cni-example1","capabilities":{"ips":true},"cniVersion":"0.4.0","hairpinMode":true,"ipMasq":true,
         "ipam":{"ranges":[[{"gateway":"10.89.42.1","subnet":"10.89.42.0/24"}]],"routes":[{"dst":"0.0.0.0/0"}],"type":"host-local"},
         "isGateway":true,"name":"example-net","type":"berth"}
        """#

    private func config(_ json: String) throws -> CNIConfig {
        try CNIConfig(json: Array(json.utf8))
    }

    func testPodmanBridgeConfigBecomesANetworkSpec() throws {
        let spec = try config(Self.podman).networkSpec()
        XCTAssertEqual(spec.name, "example-net")
        XCTAssertEqual(spec.bridge, "cni-example1")
        XCTAssertEqual(spec.subnet, IPv4Subnet("10.89.42.0/24"))
        XCTAssertEqual(spec.gateway, IPv4Address("10.89.42.1"))
        XCTAssertNil(spec.ipRange)
        XCTAssertTrue(spec.masquerade)
        XCTAssertFalse(spec.isInternal)
    }

    func testBerthKeysAndRanges() throws {
        let spec = try config(#"{"name":"b","subnet":"10.1.0.0/16","gateway":"10.1.0.254","ipRange":"10.1.4.0/22","mtu":1400,"ipMasq":false,"internal":true}"#).networkSpec()
        XCTAssertEqual(spec.ipRange, IPv4Subnet("10.1.4.0/22"))
        XCTAssertEqual(spec.mtu, 1400)
        XCTAssertTrue(spec.isInternal)
        XCTAssertFalse(spec.masquerade)
        let aligned = try config(#"{"name":"b","ipam":{"subnet":"10.2.0.0/24","rangeStart":"10.2.0.128","rangeEnd":"10.2.0.191"}}"#).networkSpec()
        XCTAssertEqual(aligned.ipRange, IPv4Subnet("10.2.0.128/26"))
        let whole = try config(#"{"name":"b","ipam":{"subnet":"10.2.0.0/24","rangeStart":"10.2.0.2","rangeEnd":"10.2.0.254"}}"#).networkSpec()
        XCTAssertNil(whole.ipRange)
        XCTAssertThrowsError(try config(#"{"name":"b","ipam":{"subnet":"10.2.0.0/24","rangeStart":"10.2.0.10","rangeEnd":"10.2.0.20"}}"#).networkSpec())
        XCTAssertThrowsError(try config(#"{"name":"b","ipam":{"type":"dhcp"}}"#).networkSpec())
    }

    func testStaticAddressPrecedenceAndPorts() throws {
        let env = try CNIArgs(parsing: "IP=10.0.0.9")
        func address(_ json: String) throws -> IPv4Address? {
            let c = try config(json)
            return try c.staticAddresses(env, network: c.networkSpec()).ipv4
        }
        XCTAssertEqual(try address(#"{"name":"b"}"#), IPv4Address("10.0.0.9"))
        XCTAssertEqual(try address(#"{"name":"b","args":{"cni":{"ips":["10.0.0.8"]}}}"#), IPv4Address("10.0.0.8"))
        XCTAssertEqual(try address(#"{"name":"b","args":{"cni":{"ips":["10.0.0.8"]}},"runtimeConfig":{"ips":["10.0.0.7/24"]}}"#),
                       IPv4Address("10.0.0.7"))
        func ports(_ json: String) throws -> [PortMapping] {
            let c = try config(json)
            return try c.portMappings(network: c.networkSpec(), families: [.ipv4])
        }
        // A lone [::1] on an IPv4-only network is refused (see DualStackTests); with its IPv4
        // twin it is left out. (The configuration states no addressing: the network's own
        // families, here IPv4, apply.)
        let mapped = try ports(#"{"name":"b","runtimeConfig":{"portMappings":[{"hostPort":8080,"containerPort":80,"protocol":"tcp"},{"hostPort":53,"containerPort":53,"protocol":"udp","hostIP":"127.0.0.1"},{"hostPort":1,"containerPort":1,"hostIP":"127.0.0.1"},{"hostPort":1,"containerPort":1,"hostIP":"::1"}]}}"#)
        XCTAssertEqual(mapped, [PortMapping(hostPort: 8080, containerPort: 80),
                                PortMapping(hostIP: .v4(IPv4Address("127.0.0.1")!), hostPort: 53, containerPort: 53, proto: .udp),
                                PortMapping(hostIP: .v4(IPv4Address("127.0.0.1")!), hostPort: 1, containerPort: 1)])
        XCTAssertThrowsError(try ports(#"{"name":"b","runtimeConfig":{"portMappings":[{"hostPort":70000,"containerPort":80}]}}"#))
        XCTAssertThrowsError(try ports(#"{"name":"b","runtimeConfig":{"portMappings":[{"hostPort":1,"containerPort":1,"protocol":"sctp"}]}}"#))
    }

    private var sample: CNIResult {
        CNIResult(interfaces: [.init(name: "cni-example1", mac: "4e:ee:e6:a5:0f:aa", mtu: 1500),
                               .init(name: "bv1", mac: "2e:16:19:63:3b:ea", mtu: 1500),
                               .init(name: "eth0", mac: "c2:8d:0a:c8:90:b2", mtu: 1500, sandbox: "/run/netns/x")],
                  ips: [.init(address: "10.89.42.2/24", gateway: "10.89.42.1", interface: 2)],
                  routes: [.init(dst: "0.0.0.0/0", gw: "10.89.42.1")])
    }

    func testResultShapesPerVersion() {
        XCTAssertEqual(sample.json(version: "0.4.0"), #"{"cniVersion":"0.4.0","interfaces":[{"name":"cni-example1","mac":"4e:ee:e6:a5:0f:aa"},{"name":"bv1","mac":"2e:16:19:63:3b:ea"},{"name":"eth0","mac":"c2:8d:0a:c8:90:b2","sandbox":"/run/netns/x"}],"ips":[{"version":"4","interface":2,"address":"10.89.42.2/24","gateway":"10.89.42.1"}],"routes":[{"dst":"0.0.0.0/0","gw":"10.89.42.1"}],"dns":{}}"#)
        XCTAssertEqual(sample.json(version: "1.0.0"), #"{"cniVersion":"1.0.0","interfaces":[{"name":"cni-example1","mac":"4e:ee:e6:a5:0f:aa"},{"name":"bv1","mac":"2e:16:19:63:3b:ea"},{"name":"eth0","mac":"c2:8d:0a:c8:90:b2","sandbox":"/run/netns/x"}],"ips":[{"interface":2,"address":"10.89.42.2/24","gateway":"10.89.42.1"}],"routes":[{"dst":"0.0.0.0/0","gw":"10.89.42.1"}],"dns":{}}"#)
        XCTAssertTrue(sample.json(version: "1.1.0").contains(#"{"name":"eth0","mac":"c2:8d:0a:c8:90:b2","mtu":1500,"sandbox":"/run/netns/x"}"#))
    }

    func testPrevResultIsCarriedForward() throws {
        // prevResult of cni-ADD-dnsname.txt: 0.4.0 with version tags and a dns section.
        let prev = try CNIResult(fields: JSONFields(JSONParser.parse(Array(#"""
            {"cniVersion":"0.4.0","dns":{"nameservers":["10.89.42.1"],"search":["dns.podman"]},
             "interfaces":[{"mac":"4e:ee:e6:a5:0f:aa","name":"cni-example1"},{"mac":"2e:16:19:63:3b:ea","name":"vethabe9b070"},
                           {"mac":"c2:8d:0a:c8:90:b2","name":"eth0","sandbox":"/run/netns/x"}],
             "ips":[{"address":"10.89.42.2/24","gateway":"10.89.42.1","interface":2,"version":"4"}],"routes":[{"dst":"0.0.0.0/0"}]}
            """#.utf8)), path: "prevResult"))
        let merged = prev.appending(sample)
        XCTAssertEqual(merged.interfaces.count, 6)
        XCTAssertEqual(merged.ips.map(\.interface), [2, 5])
        XCTAssertEqual(merged.dns.search, ["dns.podman"])
        XCTAssertTrue(merged.json(version: "1.0.0").hasSuffix(#""dns":{"nameservers":["10.89.42.1"],"search":["dns.podman"]}}"#))
    }
}
