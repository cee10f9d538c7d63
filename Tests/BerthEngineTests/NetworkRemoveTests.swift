@testable import BerthEngine
import XCTest

/// Network rm: refused while containers are attached unless forced; forced, it takes their
/// links and records first, then the network's record, rules and device.
final class NetworkRemoveTests: EngineTestCase {
    func testRemoveRefusesWhileEndpointsAreAttached() throws {
        try harness.createNetwork("web")
        try harness.connect("c1", to: "web")
        let kernel = harness.driver.kernel

        assertRefused(.conflict) { try harness.engine().removeNetworks(["web"], force: false) }

        XCTAssertEqual(try harness.networkNames(), ["web"])
        XCTAssertEqual(try harness.endpoints().count, 1)
        XCTAssertEqual(harness.driver.kernel, kernel)
        XCTAssertEqual(harness.driver.script.count(.remove), 0)
        XCTAssertNotNil(NetworkHint.load(network: "web", directory: harness.stateDirectory))
    }

    func testForceRemovesEndpointsThenTheNetwork() throws {
        let web = try harness.createNetwork("web")
        try harness.connect("c1", to: "web", ports: [port(8080)])
        try harness.connect("c2", to: "web")

        try harness.engine().removeNetworks(["web"], force: true)

        XCTAssertEqual(harness.driver.script.calls.filter { $0 == .removeLinks || $0 == .remove }, [.removeLinks, .remove])
        try harness.assertNoEndpointLeft()
        XCTAssertEqual(try harness.networkNames(), [])
        XCTAssertNil(harness.driver.kernel.devices[web.device])
        XCTAssertEqual(harness.nftables.networkNames, [])
        XCTAssertNil(NetworkHint.load(network: "web", directory: harness.stateDirectory))
    }

    /// A typo among the names removes none of them.
    func testAnUnknownNameRemovesNothing() throws {
        try harness.createNetwork("web")
        assertRefused(.notFound) { try harness.engine().removeNetworks(["web", "nope"], force: true) }
        XCTAssertEqual(try harness.networkNames(), ["web"])
        try harness.assertConsistent()
    }

    /// Prune removes the idle networks only.
    func testPruneRemovesOnlyIdleNetworks() throws {
        try harness.createNetwork("web")
        try harness.createNetwork("idle", subnet: "10.89.0.0/24")
        try harness.connect("c1", to: "web")

        XCTAssertEqual(try harness.engine().pruneNetworks(), ["idle"])

        XCTAssertEqual(try harness.networkNames(), ["web"])
        try harness.assertConsistent()
    }
}
