import XCTest
@testable import BerthNetavark

final class NetworkOptionsJSONTests: XCTestCase {
    func testPodmansSetup() throws {
        let o = try NetworkOptions(json: Array(Samples.setupWebInput.utf8))
        XCTAssertEqual(o.containerID, "c10905e990522dc476e602803a695f308b18b2e89b06b0a7a7f68589e4f16def")
        XCTAssertEqual(o.containerName, "web")
        XCTAssertEqual(o.portMappings, [PortMappingEntry(hostIP: "", containerPort: 80, hostPort: 8080, range: 1, proto: "tcp")])
        XCTAssertEqual(o.networks.map(\.name), ["example-net"])
        XCTAssertEqual(o.networks[0].options,
                       PerNetworkOptions(staticIPs: ["10.89.42.4"], staticMAC: nil, aliases: ["c10905e99052"], interfaceName: "eth0"))
        let n = try XCTUnwrap(o.network(named: "example-net"))
        XCTAssertEqual(n, Network(name: "example-net", id: "f91b1157c9fd1bb5707278d52029aa300247a3d988662d57aa3fe731e8356b54",
                                  driver: "bridge", networkInterface: "podman1",
                                  subnets: [Subnet(subnet: "10.89.42.0/24", gateway: "10.89.42.1")],
                                  ipv6Enabled: false, isInternal: false, dnsEnabled: true, networkDNSServers: [],
                                  options: [], ipamDriver: "host-local"))
        XCTAssertEqual(o.dnsServers, [])
    }

    func testConnectAndTeardownSamples() throws {
        let c = try NetworkOptions(json: Array(Samples.setupConnectEth1Input.utf8))
        XCTAssertEqual(c.portMappings, [])
        XCTAssertEqual(c.networks[0].options.interfaceName, "eth1")
        XCTAssertEqual(c.network(named: "example-net2")?.networkInterface, "podman2")
        let t = try NetworkOptions(json: Array(Samples.teardownWebInput.utf8))
        XCTAssertEqual(t, try NetworkOptions(json: Array(Samples.setupWebInput.utf8)))
    }

    func testOptionalMembersAndNulls() throws {
        let text = #"""
        {"container_id":"x","container_name":"n","port_mappings":null,"dns_servers":["1.1.1.1"],
         "networks":{"b":{"static_ips":null,"static_mac":"02:00:00:00:00:01","aliases":null,"interface_name":"eth0"},
                     "a":{"interface_name":"eth1"}},
         "network_info":{"a":{"driver":"bridge","options":{"mtu":"1400","isolate":true,"metric":50}},
                         "b":{"name":"b","driver":"macvlan","subnets":null,"network_dns_servers":["9.9.9.9"],"future_key":{"x":1}}},
         "unknown_top":[1,2]}
        """#
        let o = try NetworkOptions(json: Array(text.utf8))
        XCTAssertEqual(o.networks.map(\.name), ["b", "a"], "document order")
        XCTAssertEqual(o.networks[0].options.staticMAC, "02:00:00:00:00:01")
        XCTAssertEqual(o.networks[1].options.staticIPs, [])
        XCTAssertEqual(o.dnsServers, ["1.1.1.1"])
        let a = try XCTUnwrap(o.network(named: "a"))
        XCTAssertEqual(a.name, "a", "the key when the definition has no name")
        XCTAssertEqual(a.options.map(\.name), ["mtu", "isolate", "metric"])
        XCTAssertEqual(a.options.map(\.value), ["1400", "true", "50"])
        XCTAssertNil(a.ipamDriver)
        XCTAssertEqual(o.network(named: "b")?.networkDNSServers, ["9.9.9.9"])
    }

    func testShapeErrorsNameTheMember() {
        let cases: [(String, String)] = [
            (#"{"container_name":"x"}"#, "container_id"),
            (#"{"container_id":"x","networks":{"n":{"interface_name":3}}}"#, "networks.n.interface_name"),
            (#"{"container_id":"x","network_info":{"n":{"driver":"bridge","subnets":[{"gateway":"1.2.3.4"}]}}}"#,
             "network_info.n.subnets[0].subnet"),
            (#"{"container_id":"x","port_mappings":[{"host_port":"80","container_port":80}]}"#, "port_mappings[0].host_port"),
            (#"{"container_id":"x","network_info":{"n":{"driver":"bridge","options":{"mtu":[1]}}}}"#, "network_info.n.options.mtu"),
        ]
        for (text, path) in cases {
            XCTAssertThrowsError(try NetworkOptions(json: Array(text.utf8)), text) { error in
                XCTAssertTrue("\(error)".contains(path), "\(error) should name \(path)")
            }
        }
        XCTAssertThrowsError(try NetworkOptions(json: Array("{".utf8)))
    }
}
