@testable import BerthEngine
import BerthAddress
import BerthFirewall
import BerthStore
import XCTest

/// Every way an attach can fail after it started changing things, each undone completely: no
/// endpoint row, lease or port, no link, no published port, and no network the attach made.
final class ConnectRollbackTests: EngineTestCase {
    // MARK: the store's half refuses, the kernel's half already done

    /// A full network: the hinted interface was made while the store looked for an address.
    func testNoFreeAddressUndoesTheInterface() throws {
        try harness.createNetwork("tiny", subnet: "10.88.0.0/30")   // one address besides the gateway
        let first = try harness.connect("c1", to: "tiny")

        assertRefused(.conflict, mentioning: "no free address") { try harness.connect("c2", to: "tiny") }
        XCTAssertEqual(harness.driver.script.count(.plug), 2, "c2's interface was made before the refusal")
        try assertOnly(first)
    }

    /// A MAC another container of the network uses.
    func testTakenMACUndoesTheInterface() throws {
        try harness.createNetwork("web")
        let mac = try XCTUnwrap(MACAddress("02:42:ac:11:00:02"))
        let first = try harness.engine().connect(ConnectRequest(network: .named("web"), target: .user("c1"), mac: mac))

        assertRefused(.conflict, mentioning: "MAC") {
            try harness.engine().connect(ConnectRequest(network: .named("web"), target: .user("c2"), mac: mac))
        }
        XCTAssertEqual(harness.driver.script.count(.plug), 2)
        try assertOnly(first)
    }

    /// A static address another container holds: the network is read first (no hint), then
    /// the kernel's half runs while the second thread reserves, and the reservation refuses.
    func testTakenAddressUndoesTheInterface() throws {
        try harness.createNetwork("web")
        let first = try harness.connect("c1", to: "web")

        assertRefused(.conflict, mentioning: "already in use") {
            try harness.connect("c2", to: "web", address: "\(first.endpoint.address!.address)")
        }
        XCTAssertEqual(harness.driver.script.count(.plug), 2)
        try assertOnly(first)
    }

    // MARK: refused before anything changes

    /// Berth's own namespace is not a container's: both veth ends would sit side by side.
    func testBerthsOwnNamespaceIsRefused() throws {
        try harness.createNetwork("web")
        assertRefused(.invalidArgument, mentioning: "own network namespace") { try harness.connect("self", to: "web") }
        XCTAssertEqual(harness.driver.script.count(.plug), 0)
        try harness.assertNoEndpointLeft()
    }

    /// A port on an address the host does not have could never be reached.
    func testPortOnAForeignAddressIsRefused() throws {
        try harness.createNetwork("web")
        let foreign = PortMapping(hostIP: .v4(IPv4Address(198, 51, 100, 7)), hostPort: 8080, containerPort: 80)
        assertRefused(.invalidArgument, mentioning: "not an address of this host") {
            try harness.connect("c1", to: "web", ports: [foreign])
        }
        XCTAssertEqual(harness.driver.script.count(.plug), 0)
        try harness.assertNoEndpointLeft()
    }

    // MARK: the kernel fails

    func testPlugFailureLeavesNothing() throws {
        try harness.createNetwork("web")
        harness.driver.script.fail(.plug)
        XCTAssertThrowsError(try harness.connect("c1", to: "web", ports: [port(8080)]))
        try harness.assertNoEndpointLeft()
        XCTAssertEqual(try harness.networkNames(), ["web"])
    }

    /// The interface exists by then (and the reservation), so both must go.
    func testConfigureFailureLeavesNothing() throws {
        try harness.createNetwork("web")
        harness.driver.script.fail(.configure)
        XCTAssertThrowsError(try harness.connect("c1", to: "web", ports: [port(8080)]))
        XCTAssertEqual(harness.driver.script.count(.unplug), 1)
        try harness.assertNoEndpointLeft()
        try harness.assertConsistent()
    }

    // MARK: ports

    /// The batch fails (a stale element, a flushed table): the table is rendered whole from
    /// the store instead, which already holds the new ports, and the connect succeeds.
    func testPublishFailureFallsBackToAFullRender() throws {
        try harness.createNetwork("web")
        harness.nftables.script.fail(.publish)
        let renders = harness.nftables.script.count(.synchronize)

        try harness.connect("c1", to: "web", ports: [port(8080)])

        XCTAssertEqual(harness.nftables.script.count(.synchronize), renders + 1)
        XCTAssertEqual(harness.nftables.rules.ports.map(\.hostPort), [8080])
        try harness.assertConsistent()
    }

    /// The batch and the full render both fail: the attach is undone.
    func testPublishAndRenderFailureRollsBack() throws {
        try harness.createNetwork("web")
        harness.nftables.script.fail(.publish)
        harness.nftables.script.fail(.synchronize)

        XCTAssertThrowsError(try harness.connect("c1", to: "web", ports: [port(8080)]))

        try harness.assertNoEndpointLeft()
        XCTAssertEqual(harness.driver.script.count(.unplug), 1)
    }

    /// The ports are in the firewall when the store fails to mark the endpoint active (a full
    /// disk, here a trigger installed while they were being published): they are withdrawn.
    func testActivationFailureWithdrawsPublishedPorts() throws {
        try harness.createNetwork("web")
        let harness = self.harness!
        harness.nftables.script.when(.publish) {
            try harness.execute("CREATE TRIGGER full BEFORE UPDATE ON endpoints BEGIN SELECT RAISE(ABORT, 'disk full'); END")
        }

        XCTAssertThrowsError(try harness.connect("c1", to: "web", ports: [port(8080)])) {
            XCTAssertTrue("\($0)".contains("disk full"), "\($0)")
        }

        XCTAssertEqual(harness.nftables.script.count(.unpublish), 1, "withdrawn element by element")
        try harness.assertNoEndpointLeft()
    }

    // MARK: someone else

    /// A concurrent `rm --force` or a runtime's DEL removed the row while the interface was
    /// being configured: reporting success would leave an address no lease covers.
    func testEndpointRemovedBeforeActivationIsAConflict() throws {
        try harness.createNetwork("web")
        let harness = self.harness!
        harness.driver.script.when(.configure) {
            let store = try harness.store()
            for e in try store.endpoints() { _ = try store.deleteEndpoint(id: e.id) }
        }

        assertRefused(.conflict, mentioning: "removed by another command") {
            try harness.connect("c1", to: "web", ports: [port(8080)])
        }
        try harness.assertNoEndpointLeft()
    }

    // MARK: networks made for the attach

    /// A runtime's definition made the network; the attach then failed in the kernel: the
    /// network goes again (record, device, hint, rules).
    func testDefinedNetworkIsRemovedWhenTheAttachFails() throws {
        harness.driver.script.fail(.configure)
        XCTAssertThrowsError(try harness.engine().connect(cniRequest(target: "c1")))
        try assertNoNetworkLeft()
    }

    /// The reservation itself failed on the network just made for it (the store refuses every
    /// new endpoint): the store's half removes the network.
    func testDefinedNetworkIsRemovedWhenTheReservationFails() throws {
        try harness.execute("CREATE TRIGGER refuse BEFORE INSERT ON endpoints BEGIN SELECT RAISE(ABORT, 'disk full'); END")
        XCTAssertThrowsError(try harness.engine().connect(cniRequest(target: "c1"))) {
            XCTAssertTrue("\($0)".contains("disk full"), "\($0)")
        }
        try assertNoNetworkLeft()
    }

    /// A request the network turns down before the reservation (an address outside its
    /// subnet): the network made for it goes again.
    func testDefinedNetworkIsRemovedWhenTheRequestDoesNotFitIt() throws {
        var request = cniRequest(target: "c1")
        request.address = IPv4Address(10, 91, 0, 5)
        assertRefused(.invalidArgument) { try harness.engine().connect(request) }
        try assertNoNetworkLeft()
    }

    /// A CNI ADD for a container that already has the interface on the network is refused
    /// (whatever namespace it names now), and the interface made meanwhile is undone.
    func testCNIRefusesAContainerThatAlreadyHasTheInterface() throws {
        let first = try harness.engine().connect(cniRequest(target: "c1"))
        XCTAssertTrue(first.createdNetwork)

        assertRefused(.alreadyAttached, mentioning: "already has eth0") { try harness.engine().connect(cniRequest(target: "c1-again")) }
        try assertOnly(first)
        XCTAssertEqual(try harness.networkNames(), ["cni-net"], "an existing network stays")
    }

    // MARK: helpers

    /// A CNI ADD for container "ctr" on network "cni-net" (created from the spec if missing).
    private func cniRequest(target: String) -> ConnectRequest {
        ConnectRequest(network: .defined(NetworkSpec(name: "cni-net", subnet: IPv4Subnet("10.90.0.0/24"))),
                       target: .path("/run/netns/" + target), containerID: "ctr", frontEnd: .cni)
    }

    /// Fails unless `attachment` is the only endpoint there is, in the store and the kernel.
    private func assertOnly(_ attachment: Attachment, file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(try harness.endpoints().map(\.id), [attachment.endpoint.id], file: file, line: line)
        XCTAssertEqual(Array(harness.driver.kernel.links.keys), [attachment.endpoint.hostIfname], file: file, line: line)
        try harness.assertConsistent(file: file, line: line)
    }

    /// Fails unless nothing of any network or endpoint is left.
    private func assertNoNetworkLeft(file: StaticString = #filePath, line: UInt = #line) throws {
        try harness.assertNoEndpointLeft(file: file, line: line)
        XCTAssertEqual(try harness.networkNames(), [], "network records", file: file, line: line)
        XCTAssertEqual(Array(harness.driver.kernel.devices.keys), [], "devices", file: file, line: line)
        XCTAssertNil(NetworkHint.load(network: "cni-net", directory: harness.stateDirectory), "hint", file: file, line: line)
        XCTAssertEqual(harness.nftables.networkNames, [], "rendered networks", file: file, line: line)
        try harness.assertConsistent(file: file, line: line)
    }
}
