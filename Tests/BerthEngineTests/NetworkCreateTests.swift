@testable import BerthEngine
import BerthAddress
import BerthFirewall
import XCTest

/// Network create: what it records, its undo when the device or the rules fail, specs it
/// refuses, and networks whose firewall is another tool's (`--firewall none`).
final class NetworkCreateTests: EngineTestCase {
    func testCreateRecordsTheDriverAndTheFirewall() throws {
        let info = try harness.createNetwork("web")

        XCTAssertEqual(info.driver, "bridge")
        XCTAssertEqual(info.firewall, "nftables")
        let record = try XCTUnwrap(try harness.store().network(named: "web"))
        XCTAssertEqual(record.driver, "bridge")
        XCTAssertEqual(record.firewall, "nftables")
        XCTAssertEqual(harness.driver.kernel.devices[info.device]?.networkID, info.id)
        XCTAssertEqual(harness.nftables.networkNames, ["web"])
        XCTAssertEqual(NetworkHint.load(network: "web", directory: harness.stateDirectory), NetworkHint(record))
        try harness.assertConsistent()
    }

    /// The device was half made when the driver failed: no record, the device removed by the
    /// undo, the rules rendered again from the store.
    func testFailureAtRealizeLeavesNoNetwork() throws {
        let driver = harness.driver
        driver.script.when(.realize) {
            // Half-way: the device exists when the failure comes.
            driver.changeKernel { $0.devices["half"] = FakeKernel.Device(networkID: "0", mtu: 0) }
        }
        driver.script.fail(.realize)

        XCTAssertThrowsError(try harness.createNetwork("web", bridge: "half"))

        XCTAssertEqual(driver.script.count(.remove), 1, "the undo")
        XCTAssertEqual(harness.nftables.rules.renders, [[]], "rendered again, without the network")
        try assertNoNetwork()
    }

    /// The rules went in, then the firewall failed (nftables' table applied, Docker's accept
    /// rule not): no record, no device, and the rules rendered again without the network.
    func testFailureAtTheFirewallLeavesNoNetwork() throws {
        harness.nftables.failAfterApplying(true)
        harness.nftables.script.fail(.synchronize, times: 1)

        XCTAssertThrowsError(try harness.createNetwork("web"))

        XCTAssertEqual(harness.driver.script.count(.remove), 1, "the undo")
        XCTAssertEqual(harness.nftables.rules.renders, [["web"], []], "the failed render's rules, then none")
        try assertNoNetwork()
    }

    /// Specs refused by validation, by the plan or by the host change nothing at all.
    func testRefusedSpecsChangeNothing() throws {
        try harness.createNetwork("web")
        let before = (try harness.networkNames(), harness.driver.kernel, harness.nftables.rules)
        let realized = harness.driver.script.count(.realize)
        var badDriver = NetworkSpec(name: "x1", subnet: IPv4Subnet("10.70.0.0/24"))
        badDriver.driver = "macvlan"
        var badFirewall = NetworkSpec(name: "x2", subnet: IPv4Subnet("10.71.0.0/24"))
        badFirewall.firewall = "iptables"
        let refused: [NetworkSpec] = [
            NetworkSpec(name: "bad name!"),
            NetworkSpec(name: "x3", subnet: IPv4Subnet("10.72.0.0/24"), mtu: 20),
            badDriver, badFirewall,
            NetworkSpec(name: "x4", subnet: IPv4Subnet("10.73.0.0/31")),
            NetworkSpec(name: "x5", subnet: IPv4Subnet("10.88.0.128/25")),           // overlaps web
            NetworkSpec(name: "x6", subnet: IPv4Subnet("10.74.0.0/24"), gateway: IPv4Address(10, 75, 0, 1)),
            NetworkSpec(name: "x7", gateway: IPv4Address(10, 76, 0, 1)),              // gateway without subnet
            NetworkSpec(name: "web", subnet: IPv4Subnet("10.77.0.0/24")),            // name taken
            NetworkSpec(name: "x8", subnet: IPv4Subnet("10.78.0.0/24"), bridge: before.1.devices.keys.first),
            NetworkSpec(name: "x9", subnet: IPv4Subnet("10.79.0.0/24"), ipRange: IPv4Subnet("10.80.0.0/28")),
        ]
        for spec in refused {
            XCTAssertThrowsError(try harness.engine().createNetwork(spec), spec.name)
        }
        XCTAssertEqual(try harness.networkNames(), before.0)
        XCTAssertEqual(harness.driver.kernel, before.1)
        XCTAssertEqual(harness.nftables.rules, before.2)
        XCTAssertEqual(harness.driver.script.count(.realize), realized, "no device was ever made")
    }

    /// A `--firewall none` network's rules are another tool's: nftables never hears of it, and
    /// it publishes no ports.
    func testNoFirewallNetworksNeverReachNftables() throws {
        try harness.createNetwork("web")
        try harness.createNetwork("quiet", subnet: "10.89.0.0/24", firewall: .none)

        XCTAssertEqual(harness.nftables.networkNames, ["web"])
        XCTAssertEqual(harness.noFirewall.networkNames, ["quiet"])
        assertRefused(.invalidArgument, mentioning: "no firewall") { try harness.connect("c1", to: "quiet", ports: [port(8080)]) }
        try harness.connect("c1", to: "quiet")
        try harness.connect("c2", to: "web", ports: [port(8080)])
        XCTAssertEqual(harness.nftables.networkNames, ["web"])
        XCTAssertEqual(harness.noFirewall.rules.ports, [])
        try harness.assertConsistent()
    }

    private func assertNoNetwork(file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try harness.networkNames(), [], file: file, line: line)
        XCTAssertEqual(harness.driver.kernel.devices, [:], file: file, line: line)
        XCTAssertEqual(harness.nftables.networkNames, [], file: file, line: line)
        XCTAssertNil(NetworkHint.load(network: "web", directory: harness.stateDirectory), file: file, line: line)
    }
}
