import BerthStore
import BerthTestSupport
import BerthEngine
import XCTest
@testable import BerthCNI

/// `"driver": "overlay"`: the configuration joins the host's local copy of an overlay network,
/// which `berth network create … --driver overlay` (berth-agent) made; ADD never talks to etcd.
final class OverlayConfigTests: XCTestCase {
    private var state: PrivateStateDirectory!

    override func setUp() {
        super.setUp()
        state = PrivateStateDirectory()
    }

    override func tearDown() {
        XCTAssertEqual(state.finish(), [], "the test used \(PrivateStateDirectory.hostDefault)")
        super.tearDown()
    }

    private let conf = #"{"cniVersion":"1.0.0","name":"ov","type":"berth","driver":"overlay","etcd":"http://198.51.100.100:2379"}"#

    private func config(_ json: String) throws -> CNIConfig { try CNIConfig(json: Array(json.utf8)) }

    private func commands(_ json: String) throws -> Commands {
        Commands(env: CNIEnvironment(command: "ADD", containerID: "c1", netns: "/run/netns/x", ifname: "eth0"),
                 config: try config(json), version: "1.0.0",
                 engine: Engine(settings: EngineSettings(stateDirectory: state.path)))
    }

    private func error(_ json: String) -> CNIError? {
        do { _ = try config(json).networkSpec(); return nil } catch { return error as? CNIError }
    }

    func testSpecNamesTheDriverAndKeepsEtcdOutOfIt() throws {
        let c = try config(conf)
        XCTAssertEqual(c.etcd, "http://198.51.100.100:2379")
        let spec = try c.networkSpec()
        XCTAssertEqual(spec.driver, "overlay")
        XCTAssertNil(spec.subnet)
        XCTAssertNil(CNIConfig.families(of: spec), "the network's own families apply")
    }

    func testAddressingAndDevicesAreRefused() {
        let base = #""cniVersion":"1.0.0","name":"ov","type":"berth","driver":"overlay""#
        XCTAssertEqual(error("{" + base + #","subnet":"10.240.0.0/24"}"#)?.code, .invalidConfig)
        XCTAssertEqual(error("{" + base + #","ipam":{"type":"host-local","ranges":[[{"subnet":"10.240.0.0/24"}]]}}"#)?.code, .invalidConfig)
        XCTAssertEqual(error("{" + base + #","bridge":"br0"}"#)?.code, .invalidConfig)
        XCTAssertEqual(error("{" + base + #","master":"eth0"}"#)?.code, .invalidConfig)
        XCTAssertNil(error("{" + base + #","ipam":{"type":"host-local"}}"#), "a bare ipam section states nothing")
    }

    func testAddOnAHostThatHasNotJoinedNamesTheCommand() throws {
        XCTAssertThrowsError(try commands(conf).requireJoinedOverlay("ov")) { error in
            let e = error as? CNIError
            XCTAssertEqual(e?.code, .notFound)
            XCTAssertEqual(e?.msg, "overlay network 'ov' is not joined on this host: run 'berth network create ov --driver overlay --etcd http://198.51.100.100:2379' first")
            XCTAssertFalse(e?.msg.contains("\n") ?? true)
        }
        let withoutEtcd = #"{"cniVersion":"1.0.0","name":"ov","type":"berth","driver":"overlay"}"#
        XCTAssertThrowsError(try commands(withoutEtcd).requireJoinedOverlay("ov")) { error in
            XCTAssertTrue((error as? CNIError)?.msg.contains("--driver overlay --etcd URL") ?? false)
        }
    }

    func testAddJoinsOnlyAnOverlayNetwork() throws {
        do {
            let store = try Store(directory: state.path)
            var overlay = Fixtures.network("ov", subnet: "10.240.3.0/24")
            overlay.driver = "overlay"
            try store.insertNetwork(overlay)
            try store.insertNetwork(Fixtures.network("plain", subnet: "10.88.0.0/24"))
        }
        XCTAssertNoThrow(try commands(conf).requireJoinedOverlay("ov"))
        XCTAssertThrowsError(try commands(conf).requireJoinedOverlay("plain")) { error in
            XCTAssertEqual((error as? CNIError)?.code, .invalidConfig)
            XCTAssertEqual((error as? CNIError)?.msg, "network 'plain' exists on this host as a bridge network, not overlay")
        }
    }

    func testAddFailsBeforeTheKernelWhenNotJoined() {
        let outcome = CNIPlugin.run(CNIEnvironment(command: "ADD", containerID: "c1", netns: "/proc/self/ns/net", ifname: "eth0", args: ""),
                                    Array(conf.utf8))
        XCTAssertEqual(outcome.error?.code, .notFound)
        XCTAssertTrue(outcome.output.contains("berth network create ov --driver overlay --etcd http://198.51.100.100:2379"))
    }
}
