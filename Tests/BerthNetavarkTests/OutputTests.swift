import BerthJSON
import XCTest
@testable import BerthNetavark

final class OutputTests: XCTestCase {
    func testStatusBlockIsNetavarksBytes() {
        let block = StatusBlock(dnsSearchDomains: ["dns.podman"], dnsServerIPs: ["10.89.42.1"],
                                interfaces: [(name: "eth0", interface: NetInterface(macAddress: "1e:19:ed:16:c9:f7",
                                                                                    subnets: [(ipnet: "10.89.42.4/24", gateway: "10.89.42.1")]))])
        XCTAssertEqual(StatusBlock.json([(network: "example-net", block: block)]), Samples.setupWebOutput)
        let eth1 = StatusBlock(dnsSearchDomains: ["dns.podman"], dnsServerIPs: ["10.89.43.1"],
                               interfaces: [(name: "eth1", interface: NetInterface(macAddress: "66:88:21:cb:05:8e",
                                                                                   subnets: [(ipnet: "10.89.43.2/24", gateway: "10.89.43.1")]))])
        XCTAssertEqual(StatusBlock.json([(network: "example-net2", block: eth1)]), Samples.setupConnectEth1Output)
    }

    func testStatusBlockWithoutDNSGatewayOrAddresses() {
        let block = StatusBlock(dnsSearchDomains: [], dnsServerIPs: [],
                                interfaces: [(name: "eth0", interface: NetInterface(macAddress: "02:00:00:00:00:01",
                                                                                    subnets: [(ipnet: "10.0.0.2/24", gateway: nil),
                                                                                              (ipnet: "fd00::2/64", gateway: "fd00::1")]))])
        XCTAssertEqual(StatusBlock.json([(network: "m", block: block)]), """
        {
          "m": {
            "dns_search_domains": [],
            "dns_server_ips": [],
            "interfaces": {
              "eth0": {
                "mac_address": "02:00:00:00:00:01",
                "subnets": [
                  {
                    "ipnet": "10.0.0.2/24"
                  },
                  {
                    "gateway": "fd00::1",
                    "ipnet": "fd00::2/64"
                  }
                ]
              }
            }
          }
        }
        """)
    }

    func testErrorObject() {
        XCTAssertEqual(NetavarkError("unsupported network driver \"x\"").json, #"{"error":"unsupported network driver \"x\""}"#)
        XCTAssertEqual(NetavarkError.from(NetavarkError("a")).message, "a")
        XCTAssertFalse(NetavarkError.from(JSONShapeError(path: "p", expected: "q")).message.contains("\n"))
    }

    func testRunWithoutEngine() {
        XCTAssertEqual(NetavarkFrontEnd.run(["--version"], version: "0.1.0"), .init(output: "netavark 0.1.0", failed: false))
        let v = NetavarkFrontEnd.run(["version"], version: "0.1.0")
        XCTAssertFalse(v.failed)
        XCTAssertTrue(v.output.hasPrefix("{\n  \"version\": \"0.1.0\",\n  \"commit\": "), v.output)
        XCTAssertTrue(v.output.contains("\"build_time\": "))
        XCTAssertTrue(v.output.contains("\"target\": "))
        XCTAssertEqual(NetavarkFrontEnd.run(["bogus"], version: "0"), .init(output: #"{"error":"unknown command \"bogus\""}"#, failed: true))
        XCTAssertEqual(NetavarkFrontEnd.run(["--rootless=true", "setup", "/n"], version: "0"),
                       .init(output: #"{"error":"rootless mode is not supported: Berth's netavark runs as root"}"#, failed: true))
        XCTAssertEqual(NetavarkFrontEnd.run(["-f", "/nonexistent/opts.json", "setup", "/n"], version: "0").failed, true)
    }

    func testProgramName() {
        XCTAssertTrue(NetavarkFrontEnd.isInvoked(as: "netavark"))
        XCTAssertTrue(NetavarkFrontEnd.isInvoked(as: "/usr/local/lib/berth/netavark"))
        XCTAssertFalse(NetavarkFrontEnd.isInvoked(as: "/usr/local/bin/berth"))
        XCTAssertFalse(NetavarkFrontEnd.isInvoked(as: "/x/netavark2"))
        XCTAssertFalse(NetavarkFrontEnd.isInvoked(as: nil))
    }

    func testLogLevels() {
        XCTAssertFalse(NetavarkFrontEnd.notesWanted(nil))
        XCTAssertFalse(NetavarkFrontEnd.notesWanted("warning"))
        XCTAssertFalse(NetavarkFrontEnd.notesWanted("error"))
        XCTAssertTrue(NetavarkFrontEnd.notesWanted("info"))
        XCTAssertTrue(NetavarkFrontEnd.notesWanted("DEBUG"))
        XCTAssertTrue(NetavarkFrontEnd.notesWanted("netavark=trace"))
    }
}
