@testable import BerthEngine
import BerthAddress
import BerthStore
import Glibc
import Synchronization
import XCTest

/// The attach path when it succeeds: with no hint (the network read first) and with one (the
/// interface made while a second thread opens the store and reserves the address), a stale
/// hint, and a network whose device went missing.
final class ConnectTests: EngineTestCase {
    /// The first connect to the default network creates it (no hint exists yet), allocates the
    /// first address, records the endpoint `active` and returns what it made.
    func testFirstConnectCreatesTheDefaultNetworkWithoutAHint() throws {
        XCTAssertNil(NetworkHint.load(network: NetworkSpec.defaultNetworkName, directory: harness.stateDirectory))

        let attachment = try harness.connect("c1", to: NetworkSpec.defaultNetworkName)

        XCTAssertTrue(attachment.createdNetwork)
        XCTAssertEqual(attachment.defaultRoutes, [.ipv4])
        XCTAssertEqual(attachment.endpoint.state, "active")
        XCTAssertEqual(attachment.network.device, NetworkSpec.defaultBridge)
        let network = attachment.network
        XCTAssertEqual(attachment.endpoint.address?.address, IPv4Address(network.subnet!.firstHost.value + 1),
                       "the first address after the gateway")
        XCTAssertEqual(attachment.hostInterfaces.map(\.name), [NetworkSpec.defaultBridge, attachment.endpoint.hostIfname])
        XCTAssertEqual(attachment.containerInterface.name, "eth0")
        XCTAssertEqual(attachment.containerInterface.mac, attachment.endpoint.mac)

        let stored = try XCTUnwrap(try harness.endpoints().first)
        XCTAssertEqual(stored.state, .active)
        XCTAssertEqual(stored.id, attachment.endpoint.id)
        let link = try XCTUnwrap(harness.driver.kernel.links[stored.hostIfname])
        XCTAssertEqual(link.device, NetworkSpec.defaultBridge)
        XCTAssertEqual(link.namespace, harness.namespaces.key("c1"))
        XCTAssertEqual(link.address, stored.interface)
        XCTAssertEqual(harness.driver.kernel.defaultRoutes[link.namespace], stored.hostIfname)
        XCTAssertEqual(NetworkHint.load(network: network.name, directory: harness.stateDirectory)?.device,
                       NetworkSpec.defaultBridge, "the next connect finds a hint")
        try harness.assertConsistent()
    }

    /// A static address the hint vouches for (in the network's subnet, not its gateway) no
    /// longer waits for the network to be read: the interface is made while the store half
    /// reserves the address on its own thread — how every Podman setup arrives.
    func testStaticAddressTheHintVouchesForOverlapsTheHalves() throws {
        try harness.createNetwork("web")
        XCTAssertEqual(NetworkHint.load(network: "web", directory: harness.stateDirectory)?.ipv4?.subnet.description, "10.88.0.0/24")
        let threads = Mutex<[FakeNetworkDriver.Step: pthread_t]>([:])
        for step in [FakeNetworkDriver.Step.plug, .linkState] {
            harness.driver.script.when(step) { threads.withLock { $0[step] = pthread_self() } }
        }
        let first = try harness.connect("c1", to: "web", address: "10.88.0.77")
        // A dead container's record under the same namespace identity makes the store half
        // call the driver once (the link state), so its thread can be seen.
        harness.driver.changeKernel { $0.deleteLink(first.endpoint.hostIfname) }
        threads.withLock { $0 = [:] }

        let attachment = try harness.connect("c1", to: "web", address: "10.88.0.78")

        let seen = threads.withLock { $0 }
        let linkState = try XCTUnwrap(seen[.linkState], "the store half looked at the old record")
        XCTAssertEqual(pthread_equal(linkState, pthread_self()), 0, "the store half ran beside the kernel's")
        XCTAssertEqual(attachment.endpoint.address?.address, IPv4Address(10, 88, 0, 78))
        XCTAssertEqual(harness.driver.script.count(.plug), 2, "each interface made once, on the right device")
        XCTAssertEqual(harness.driver.script.count(.unplug), 0)
        try harness.assertConsistent()
    }

    /// A hint that cannot vouch for the address (it names another subnet: a network recreated
    /// under the name meanwhile) is not used for it: the network is read first, the address is
    /// honoured, the interface made once, and the hint rewritten.
    func testStaticAddressOutsideTheHintedSubnetReadsTheNetworkFirst() throws {
        let web = try harness.createNetwork("web")
        try writeHint("web", line: "\(web.id) \(web.device) 0 bridge nftables ip4=10.99.0.0/24@10.99.0.1\n")

        let attachment = try harness.connect("c1", to: "web", address: "10.88.0.77")

        XCTAssertEqual(attachment.endpoint.address?.address, IPv4Address(10, 88, 0, 77))
        XCTAssertEqual(harness.driver.script.count(.plug), 1, "made once: the hint did not send it anywhere first")
        XCTAssertEqual(harness.driver.script.count(.unplug), 0)
        XCTAssertEqual(NetworkHint.load(network: "web", directory: harness.stateDirectory)?.ipv4?.subnet.description, "10.88.0.0/24")
        try harness.assertConsistent()
    }

    /// An address the hint vouches for but another container holds: the store half refuses it,
    /// and the interface made meanwhile is taken away again — nothing is left.
    func testTakenStaticAddressUndoesTheOverlappedInterface() throws {
        try harness.createNetwork("web")
        try harness.connect("c1", to: "web", address: "10.88.0.77")
        let before = try harness.state()

        assertRefused(.conflict, mentioning: "address 10.88.0.77 is already in use on network 'web'") {
            try harness.connect("c2", to: "web", address: "10.88.0.77")
        }

        XCTAssertEqual(harness.driver.script.count(.plug), 2, "made beside the reservation")
        XCTAssertEqual(harness.driver.script.count(.unplug), 1, "and taken away when it was refused")
        try harness.assertUnchanged(since: before)
    }

    /// A hint written by an older Berth (no addressing) is used for what it knows and
    /// rewritten with the subnets, without redoing the interface.
    func testHintWithoutAddressingIsRewrittenWithoutARedo() throws {
        let web = try harness.createNetwork("web")
        try writeHint("web", line: "\(web.id) \(web.device) 0 bridge nftables\n")

        try harness.connect("c1", to: "web")

        XCTAssertEqual(harness.driver.script.count(.plug), 1)
        XCTAssertEqual(harness.driver.script.count(.unplug), 0, "the interface was right: not redone")
        XCTAssertEqual(NetworkHint.load(network: "web", directory: harness.stateDirectory)?.ipv4?.gateway.description, "10.88.0.1")
        try harness.assertConsistent()
    }

    /// Ports are claimed in the store and published as firewall elements; the link is prepared
    /// for them (hairpin).
    func testConnectWithPortsPublishesThem() throws {
        try harness.createNetwork("web")
        let attachment = try harness.connect("c1", to: "web", ports: [port(8080, count: 2)])
        XCTAssertEqual(try harness.ports().map(\.hostPort), [8080, 8081])
        XCTAssertEqual(Set(harness.nftables.rules.ports.map(\.hostPort)), [8080, 8081])
        XCTAssertEqual(harness.nftables.script.count(.synchronize), 1, "published as elements, not by a full render")
        XCTAssertEqual(harness.driver.kernel.links[attachment.endpoint.hostIfname]?.hairpin, true)
        try harness.assertConsistent()
    }

    /// With a hint the interface is made from it at once: one plug, on the network's device,
    /// and nothing redone.
    func testHintedConnectPlugsOnceOnTheHintedDevice() throws {
        let network = try harness.createNetwork("web")
        XCTAssertEqual(NetworkHint.load(network: "web", directory: harness.stateDirectory)?.device, network.device)

        let attachment = try harness.connect("c1", to: "web")

        XCTAssertFalse(attachment.createdNetwork)
        XCTAssertEqual(harness.driver.script.count(.plug), 1)
        XCTAssertEqual(harness.driver.script.count(.unplug), 0)
        XCTAssertEqual(harness.driver.kernel.links[attachment.endpoint.hostIfname]?.device, network.device)
        try harness.assertConsistent()
    }

    /// The hinted store half runs on a second thread: seen here through the one driver call it
    /// makes, the link state of a dead container's record under the same namespace identity,
    /// which it releases before reserving.
    func testHintedConnectReservesOnASecondThread() throws {
        try harness.createNetwork("web")
        let old = try harness.connect("c1", to: "web")
        // The container died and its namespace's identity went to a new one: its veth is gone.
        harness.driver.changeKernel { $0.deleteLink(old.endpoint.hostIfname) }
        let threads = Mutex<[FakeNetworkDriver.Step: pthread_t]>([:])
        for step in [FakeNetworkDriver.Step.plug, .linkState] {
            harness.driver.script.when(step) { threads.withLock { $0[step] = pthread_self() } }
        }

        let attachment = try harness.connect("c1", to: "web")

        let seen = threads.withLock { $0 }
        let plug = try XCTUnwrap(seen[.plug]), linkState = try XCTUnwrap(seen[.linkState], "the store half looked at the old record")
        XCTAssertNotEqual(pthread_equal(plug, pthread_self()), 0, "the kernel half runs on the caller's thread")
        XCTAssertEqual(pthread_equal(linkState, pthread_self()), 0, "the store half runs on another thread")
        XCTAssertEqual(try harness.endpoints().map(\.id), [attachment.endpoint.id], "the dead container's record is released")
        try harness.assertConsistent()
    }

    /// The firewall's health probe is made once, by whichever half finishes first, and its
    /// answer still decides: a missing table is rendered again before the attach completes.
    /// Here the store's half is held back, so the kernel's half (this thread) makes it.
    func testFirewallIsProbedOnceByTheHalfDoneFirst() throws {
        try harness.createNetwork("web")
        let old = try harness.connect("c1", to: "web")
        harness.driver.changeKernel { $0.deleteLink(old.endpoint.hostIfname) }
        let probes = Mutex<[pthread_t]>([])
        harness.nftables.script.when(.health) { probes.withLock { $0.append(pthread_self()) } }
        // The store half asks for the dead record's link state: it waits there until the
        // kernel's half has probed (at most 10 s, so a regression fails rather than hangs).
        harness.driver.script.when(.linkState) {
            var polls = 0
            while probes.withLock({ $0.isEmpty }), polls < 100_000 { usleep(100); polls += 1 }
        }
        harness.nftables.report(.init(tablePresent: false, dockerAccept: nil))
        let renders = harness.nftables.rules.renders.count

        try harness.connect("c1", to: "web")

        let seen = probes.withLock { $0 }
        XCTAssertEqual(seen.count, 1, "probed once")
        XCTAssertNotEqual(pthread_equal(try XCTUnwrap(seen.first), pthread_self()), 0, "by the half that was done first")
        XCTAssertEqual(harness.nftables.rules.renders.count, renders + 1, "the missing table was rendered again")
        try harness.assertConsistent()
    }

    /// An attach that will render rules (no hint: it probably makes the network) or publish
    /// ports tells the firewall to get ready; a plain hinted attach does not.
    func testFirewallIsPreparedOnlyWhenRulesWillChange() throws {
        try harness.connect("c1", to: NetworkSpec.defaultNetworkName)
        XCTAssertEqual(harness.nftables.script.count(.prepare), 1, "no hint: the network is made, its rules rendered")
        try harness.createNetwork("web")
        try harness.connect("c2", to: "web")
        XCTAssertEqual(harness.nftables.script.count(.prepare), 1, "a hinted attach changes no rules")
        try harness.connect("c3", to: "web", ports: [port(8080)])
        XCTAssertEqual(harness.nftables.script.count(.prepare), 2, "ports will be published")
    }

    /// A hint naming another network's device (a network removed and made again under the
    /// name, say) is corrected: the interface is redone on the right device and the hint
    /// rewritten.
    func testStaleHintIsRedoneOnTheRightDevice() throws {
        let web = try harness.createNetwork("web")
        let other = try harness.createNetwork("other", subnet: "10.89.0.0/24")
        try writeHint("web", line: "\(other.id) \(other.device) 0 bridge nftables\n")

        let attachment = try harness.connect("c1", to: "web")

        XCTAssertEqual(harness.driver.script.count(.plug), 2, "made on the hinted device, then on the right one")
        XCTAssertEqual(harness.driver.script.count(.unplug), 1)
        let link = try XCTUnwrap(harness.driver.kernel.links[attachment.endpoint.hostIfname])
        XCTAssertEqual(link.device, web.device)
        XCTAssertEqual(link.networkID, web.id, "in the right network's group")
        XCTAssertEqual(NetworkHint.load(network: "web", directory: harness.stateDirectory)?.device, web.device)
        try harness.assertConsistent()
    }

    /// A hint naming a driver Berth does not have fails the kernel's half before anything is
    /// made; the store's answer then makes the interface with the network's real driver, and the
    /// hint is rewritten, so the next connect does not fail the same way.
    func testHintNamingAnUnknownDriverIsRedone() throws {
        let web = try harness.createNetwork("web")
        try writeHint("web", line: "\(web.id) \(web.device) 0 bridgX nftables\n")

        let attachment = try harness.connect("c1", to: "web")

        XCTAssertEqual(harness.driver.script.count(.plug), 1, "made once, from the store's answer")
        XCTAssertEqual(harness.driver.kernel.links[attachment.endpoint.hostIfname]?.device, web.device)
        XCTAssertEqual(NetworkHint.load(network: "web", directory: harness.stateDirectory)?.driver, "bridge")
        try harness.assertConsistent()
    }

    /// A kernel failure under a right hint is the request's: it is reported, and nothing is left.
    func testKernelFailureUnderARightHintIsReported() throws {
        _ = try harness.createNetwork("web")
        harness.driver.script.fail(.plug)

        XCTAssertThrowsError(try harness.connect("c1", to: "web"))

        XCTAssertEqual(harness.driver.script.count(.plug), 1, "not retried")
        try harness.assertNoEndpointLeft()
    }

    /// A network whose device is gone (deleted by hand, a reboot) gets it back, but only once
    /// the address is reserved: a refused request must not make a device.
    func testMissingDeviceIsRealizedAfterTheReservation() throws {
        let web = try harness.createNetwork("web")
        harness.driver.changeKernel { $0.devices[web.device] = nil }
        let reservedFirst = Mutex<Bool?>(nil)
        let harness = self.harness!
        harness.driver.script.when(.realize) {
            let rows = try harness.store().endpoints(network: "web")
            reservedFirst.withLock { $0 = rows.count == 1 && rows[0].state == .creating }
        }

        let attachment = try harness.connect("c1", to: "web")

        XCTAssertEqual(reservedFirst.withLock { $0 }, true, "realized after the reservation")
        XCTAssertEqual(harness.driver.kernel.devices[web.device]?.networkID, web.id)
        XCTAssertEqual(harness.driver.kernel.links[attachment.endpoint.hostIfname]?.device, web.device)
        try harness.assertConsistent()
    }

    private func writeHint(_ network: String, line: String) throws {
        let fd = open(NetworkHint.path(network: network, directory: harness.stateDirectory), O_WRONLY | O_TRUNC)
        XCTAssertGreaterThanOrEqual(fd, 0)
        defer { close(fd) }
        XCTAssertEqual(line.withCString { write(fd, $0, strlen($0)) }, line.utf8.count)
    }
}
