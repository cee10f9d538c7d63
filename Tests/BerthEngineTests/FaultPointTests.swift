@testable import BerthEngine
import XCTest

/// A crash at every fault point the engine passes leaves a state `berth gc` makes consistent,
/// after which Berth works as before.
///
/// Where `BERTH_FAULT` would SIGKILL the process, the test environment takes a ``CrashImage``
/// instead — the state directory's files, the kernel and the firewall as they are at that
/// instant — and lets the operation go on. A new engine on the image, over a kernel and a
/// firewall that start from the copied ones, then collects garbage.
final class FaultPointTests: XCTestCase {
    /// What runs up to the fault point: a setup, then the operation that passes it.
    private struct Scenario {
        let points: [FaultPoint]
        let setUp: (EngineHarness) throws -> Void
        let operation: (EngineHarness) throws -> Void
    }

    /// A network with two containers, one publishing a port.
    private static func withEndpoint(_ harness: EngineHarness) throws {
        try harness.createNetwork("web")
        try harness.connect("c1", to: "web", ports: [port(8080)])
        try harness.connect("c2", to: "web")
    }

    private let scenarios: [Scenario] = [
        Scenario(points: [.connectAfterReserve, .connectAfterVeth, .connectAfterAddress, .connectBeforeActive],
                 setUp: { try $0.createNetwork("web") },
                 operation: { try $0.connect("c1", to: "web", ports: [port(8080)]) }),
        Scenario(points: [.disconnectAfterRetire], setUp: FaultPointTests.withEndpoint,
                 operation: { try $0.engine().disconnect(network: "web", target: "c1", ifname: "eth0") }),
        // The synchronous way: the driver cannot retire the link.
        Scenario(points: [.disconnectAfterMark, .disconnectAfterVeth],
                 setUp: { try FaultPointTests.withEndpoint($0); $0.driver.canRetire(false) },
                 operation: { try $0.engine().disconnect(network: "web", target: "c1", ifname: "eth0") }),
        Scenario(points: [.createAfterBridge, .createAfterFirewall], setUp: { _ in },
                 operation: { try $0.createNetwork("web") }),
        Scenario(points: [.removeAfterEndpoints, .removeAfterRecord], setUp: FaultPointTests.withEndpoint,
                 operation: { try $0.engine().removeNetworks(["web"], force: true) }),
    ]

    /// Every point the engine reaches has a scenario (the ones the bridge driver's deleting
    /// children reach are outside the engine: tests/integration/test_detach.sh kills them).
    func testEveryFaultPointIsCovered() {
        let covered = Set(scenarios.flatMap(\.points))
        XCTAssertEqual(covered, Set(FaultPoint.allCases).subtracting([.disconnectBeforeDelete, .removeBeforeBridgeDelete]))
    }

    func testConnectCrashes() throws { try run(scenarios[0]) }
    func testRetiringDisconnectCrashes() throws { try run(scenarios[1]) }
    func testSynchronousDisconnectCrashes() throws { try run(scenarios[2]) }
    func testNetworkCreateCrashes() throws { try run(scenarios[3]) }
    func testNetworkRemoveCrashes() throws { try run(scenarios[4]) }

    private func run(_ scenario: Scenario) throws {
        for point in scenario.points {
            let harness = EngineHarness()
            defer { harness.remove() }
            try scenario.setUp(harness)
            harness.arm(point)
            try scenario.operation(harness)
            XCTAssertTrue(harness.reachedPoints.contains(point), "\(point) was not reached")
            let image = try XCTUnwrap(harness.crashImages.first, "\(point)")
            try recover(image)
        }
    }

    /// Collects garbage on the crash image and checks that the result is consistent and that
    /// a connect and a disconnect work afterwards.
    private func recover(_ image: CrashImage) throws {
        let recovered = EngineHarness(recovering: image)
        let point = image.point.rawValue
        // The image is the state half-way (else the test proves nothing), except after rm has
        // removed the endpoints: a network without containers is a whole one.
        XCTAssertEqual(try recovered.inconsistencies().isEmpty, image.point == .removeAfterEndpoints, point)
        _ = try recovered.engine().collectGarbage(dryRun: false)
        try recovered.assertConsistent()

        let attachment = try recovered.connect("after-\(point)", to: NetworkSpec.defaultNetworkName, ports: [port(9090)])
        XCTAssertEqual(attachment.endpoint.state, "active", point)
        try recovered.assertConsistent()
        try recovered.engine().disconnect(network: NetworkSpec.defaultNetworkName, target: "after-\(point)", ifname: "eth0")
        try recovered.assertConsistent()
        XCTAssertFalse(try recovered.endpoints().contains { $0.id == attachment.endpoint.id }, point)
    }
}
