import XCTest
import BerthAddress
@testable import BerthCNI
@testable import BerthEngine
@testable import BerthStore

/// The name service in CNI: the plugin config's `dns` and `dnsDomain`, the `aliases`
/// capability, `K8S_POD_NAME`, and the result's `dns` section.
final class DNSTests: XCTestCase {
    private func config(_ json: String) throws -> CNIConfig {
        try CNIConfig(json: Array(json.utf8))
    }

    func testDNSIsOnUnlessTheConfigTurnsItOff() throws {
        let on = try config(#"{"name":"web","subnet":"10.88.0.0/24"}"#).networkSpec()
        XCTAssertTrue(on.dns)
        XCTAssertEqual(on.dnsDomain, "berth.internal")
        let off = try config(#"{"name":"web","dns":false}"#).networkSpec()
        XCTAssertFalse(off.dns)
        XCTAssertEqual(try config(#"{"name":"web","dnsDomain":"Pods.Example"}"#).networkSpec().dnsDomain, "pods.example")
        XCTAssertThrowsError(try config(#"{"name":"web","dnsDomain":"bad..domain"}"#).networkSpec()) {
            XCTAssertEqual(($0 as? CNIError)?.code, .invalidConfig)
        }
        XCTAssertThrowsError(try config(#"{"name":"web","dns":"yes"}"#), "dns must be a boolean")
    }

    func testAliasesCapabilityIsPerNetwork() throws {
        let c = try config(#"{"name":"web","runtimeConfig":{"aliases":{"web":["db","cache.local"],"other":["x"]}}}"#)
        XCTAssertEqual(try c.aliases(network: "web"), ["db", "cache.local"])
        XCTAssertEqual(try c.aliases(network: "third"), [])
        XCTAssertEqual(try config(#"{"name":"web"}"#).aliases(network: "web"), [])
        XCTAssertThrowsError(try config(#"{"name":"web","runtimeConfig":{"aliases":{"web":["bad alias"]}}}"#).aliases(network: "web")) {
            XCTAssertEqual(($0 as? CNIError)?.code, .invalidConfig)
        }
        XCTAssertThrowsError(try config(#"{"name":"web","runtimeConfig":{"aliases":{"web":"db"}}}"#), "a list per network")
    }

    func testPodNameFromCNIArgs() throws {
        XCTAssertEqual(try CNIArgs(parsing: "IgnoreUnknown=1;K8S_POD_NAMESPACE=ns;K8S_POD_NAME=api-0").podName, "api-0")
        XCTAssertNil(try CNIArgs(parsing: "IgnoreUnknown=1").podName)
    }

    private func attachment(dns: Bool, dualStack: Bool) -> Attachment {
        var network = NetworkRecord(name: "web", id: "0123456789abcdef", bridge: "berthw", subnet: IPv4Subnet("10.88.0.0/24"),
                                    gateway: IPv4Address("10.88.0.1"), ipRange: nil, mtu: 0, isInternal: false,
                                    masquerade: true, labels: [:], created: 0, dns: dns, dnsDomain: "pods.example")
        var endpoint = EndpointRecord(id: "e1", network: "web", containerID: "c1", target: "/run/netns/x", netnsPath: "/run/netns/x",
                                      netnsDevice: 1, netnsInode: 2, ifname: "eth0", hostIfname: "bve1",
                                      address: IPv4Address("10.88.0.2"), prefixLength: 24, mac: MACAddress("02:00:00:00:00:02")!,
                                      state: .active, created: 0)
        if dualStack {
            (network.subnet6, network.gateway6) = (IPv6Subnet("fd00:88::/64"), IPv6Address("fd00:88::1"))
            (endpoint.address6, endpoint.prefixLength6) = (IPv6Address("fd00:88::2"), 64)
        }
        return Attachment(endpoint: EndpointInfo(endpoint), network: NetworkInfo(network), defaultRoutes: [.ipv4],
                          hostInterfaces: [], containerInterface: InterfaceInfo(name: "eth0", mac: nil, mtu: nil),
                          createdNetwork: false)
    }

    private func commands(_ json: String = #"{"cniVersion":"1.0.0","name":"web","type":"berth"}"#) throws -> Commands {
        Commands(env: CNIEnvironment(command: "ADD", containerID: "c1", netns: "/run/netns/x", ifname: "eth0"),
                 config: try config(json), version: "1.0.0",
                 engine: Engine(settings: EngineSettings(stateDirectory: "/nonexistent")))
    }

    func testResultNamesTheGatewaysAndTheDomainOnADNSNetwork() throws {
        let result = try commands().shape(attachment(dns: true, dualStack: true))
        XCTAssertEqual(result.dns.nameservers, ["10.88.0.1", "fd00:88::1"])
        XCTAssertEqual(result.dns.search, ["pods.example"])
        XCTAssertTrue(result.json(version: "1.0.0").hasSuffix(#""dns":{"nameservers":["10.88.0.1","fd00:88::1"],"search":["pods.example"]}}"#))
        let plain = try commands().shape(attachment(dns: false, dualStack: false))
        XCTAssertNil(plain.dns.nameservers)
        XCTAssertTrue(plain.json(version: "1.0.0").hasSuffix(#""dns":{}}"#))
    }

    func testAnEarlierPluginsDNSComesFirst() throws {
        var prev = CNIResult(cniVersion: "1.0.0")
        prev.dns.nameservers = ["192.0.2.53"]
        prev.dns.search = ["corp.example"]
        let ours = try commands().shape(attachment(dns: true, dualStack: false))
        let merged = prev.appending(ours)
        XCTAssertEqual(merged.dns.nameservers, ["192.0.2.53", "10.88.0.1"])
        XCTAssertEqual(merged.dns.search, ["corp.example", "pods.example"])
    }
}
