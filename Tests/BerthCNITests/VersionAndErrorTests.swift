import BerthTestSupport
import BerthEngine
import XCTest
@testable import BerthCNI

/// VERSION and the error paths that need no root: everything here is decided before the engine
/// (and so the kernel or the store) is touched.
///
/// An ADD starts opening the store on a second thread before it reads its configuration, so even
/// a refused ADD opens an existing store. Each test points `BERTH_STATE_DIR` (which wins over the
/// configuration's `stateDir`) at a directory of its own, so it never opens the host's
/// `/var/lib/berth`, and fails if anything was done there meanwhile.
final class VersionAndErrorTests: XCTestCase {
    private var state: PrivateStateDirectory!

    override func setUp() {
        super.setUp()
        state = PrivateStateDirectory()
    }

    override func tearDown() {
        // Nothing here reaches the store, so the test's own directory is still empty.
        XCTAssertEqual(state.entries, [], "a command got as far as the state directory")
        XCTAssertEqual(state.finish(), [], "the test used \(PrivateStateDirectory.hostDefault)")
        super.tearDown()
    }

    func testStateDirectoryIsTheTestsOwn() {
        // What the ADD warm-up opens, and what the commands open: never the host's state.
        XCTAssertEqual(EngineSettings.stateDirectory(), state.path)
        XCTAssertEqual(EngineSettings.stateDirectory(configured: PrivateStateDirectory.hostDefault), state.path)
    }

    private func run(_ command: String, _ stdin: String, containerID: String = "c1", netns: String = "/proc/self/ns/net",
                     ifname: String = "eth0", args: String = "") -> CNIPlugin.Outcome {
        CNIPlugin.run(CNIEnvironment(command: command, containerID: containerID, netns: netns, ifname: ifname, args: args),
                      Array(stdin.utf8))
    }

    func testVersionIsByteExactAndNeverFails() {
        let supported = #""supportedVersions":["0.3.0","0.3.1","0.4.0","1.0.0","1.1.0"]"#
        XCTAssertEqual(run("VERSION", #"{"cniVersion":"1.0.0"}"#).output, #"{"cniVersion":"1.0.0","# + supported + "}")
        for input in ["", "garbage", #"{"cniVersion":"7.0.0"}"#, #"{"cniVersion":1}"#] {
            let outcome = run("VERSION", input)
            XCTAssertNil(outcome.error)
            XCTAssertEqual(outcome.output, #"{"cniVersion":"1.1.0","# + supported + "}")
        }
    }

    func testErrorObjectShape() {
        let e = CNIError(.invalidConfig, "bad \"x\"", details: "line\n2")
        XCTAssertEqual(e.json(cniVersion: "0.4.0"), #"{"cniVersion":"0.4.0","code":7,"msg":"bad \"x\"","details":"line\n2"}"#)
        XCTAssertEqual(CNIError(.tryAgainLater, "busy").json(cniVersion: "1.1.0"), #"{"cniVersion":"1.1.0","code":11,"msg":"busy"}"#)
    }

    func testCodesBeforeTheEngine() {
        let conf = #"{"cniVersion":"1.0.0","name":"n","type":"berth"}"#
        XCTAssertEqual(run("ADD", "{").error?.code, .decodingFailure)
        XCTAssertEqual(run("ADD", "").error?.code, .decodingFailure)
        XCTAssertEqual(run("ADD", #"{"cniVersion":"1.0.0","name":"n","mtu":"x"}"#).error?.code, .decodingFailure)
        XCTAssertEqual(run("ADD", #"{"cniVersion":"0.2.0","name":"n"}"#).error?.code, .incompatibleVersion)
        XCTAssertEqual(run("ADD", #"{"name":"n"}"#).error?.code, .invalidConfig)
        XCTAssertEqual(run("ADD", conf, containerID: "").error?.code, .invalidEnvironment)
        XCTAssertEqual(run("ADD", conf, ifname: "").error?.code, .invalidEnvironment)
        XCTAssertEqual(run("ADD", conf, ifname: "a/b").error?.code, .invalidEnvironment)
        XCTAssertEqual(run("ADD", conf, ifname: "sixteen-bytes-xx").error?.code, .invalidEnvironment)
        XCTAssertEqual(run("ADD", conf, netns: "").error?.code, .invalidEnvironment)
        XCTAssertEqual(run("ADD", conf, args: "K8S_POD_UID=x").error?.code, .invalidEnvironment, "an unknown key (K8S_POD_NAME is known: the DNS name)")
        XCTAssertEqual(run("NOPE", conf).error?.code, .invalidEnvironment)
        XCTAssertEqual(run("CHECK", #"{"cniVersion":"0.3.1","name":"n"}"#).error?.code, .incompatibleVersion)
        // The error is reported in the caller's version when Berth speaks it.
        XCTAssertTrue(run("ADD", conf, containerID: "").output.hasPrefix(#"{"cniVersion":"1.0.0","code":4,"#))
    }

    func testDualStackCodesBeforeTheEngine() {
        func add(_ ipam: String, runtimeConfig: String = "{}", args: String = "") -> CNIPlugin.Outcome {
            run("ADD", #"{"cniVersion":"1.0.0","name":"n","type":"berth","ipam":"# + ipam + #","runtimeConfig":"# + runtimeConfig + "}",
                args: args)
        }
        let dual = #"{"ranges":[[{"subnet":"10.7.0.0/24"}],[{"subnet":"2001:db8:7::/64"}]]}"#
        let only4 = #"{"ranges":[[{"subnet":"10.7.0.0/24"}]]}"#
        let lonePort = #"{"portMappings":[{"hostPort":80,"containerPort":80,"hostIP":"::"}]}"#
        XCTAssertEqual(add(#"{"ranges":[[{"subnet":"10.7.0.0/24"},{"subnet":"fd00::/64"}]]}"#).error?.code, .invalidConfig)
        XCTAssertEqual(add(#"{"ranges":[[{"subnet":"10.7.0.0/24"}],[{"subnet":"10.8.0.0/24"}]]}"#).error?.code, .unsupportedField)
        XCTAssertEqual(add(#"{"ranges":[[{"subnet":"2001:db8::/129"}]]}"#).error?.code, .invalidConfig)
        XCTAssertEqual(add(#"{"ranges":[[{"subnet":"2001:db8:7::/64"}]],"routes":[{"dst":"2001:db8::/32"}]}"#).error?.code, .unsupportedField)
        XCTAssertEqual(add(only4, runtimeConfig: #"{"ips":["2001:db8:7::9"]}"#).error?.code, .invalidConfig)
        XCTAssertEqual(add(dual, runtimeConfig: #"{"ips":["10.7.0.9","10.7.0.10"]}"#).error?.code, .invalidConfig)
        XCTAssertEqual(add(dual, args: "IP=2001:db8:7::9,2001:db8:7::10").error?.code, .invalidEnvironment)
        XCTAssertEqual(add(only4, runtimeConfig: lonePort).output,
                       #"{"cniVersion":"1.0.0","code":7,"msg":"port mapping [::]:80:80/tcp: network 'n' has no IPv6 range","details":"publish on an address of the network's family, or on every address (hostIP empty)"}"#)
    }

    func testCNIArgs() throws {
        let a = try CNIArgs(parsing: "IgnoreUnknown=1;K8S_POD_NAME=keen;IP=10.89.42.5;MAC=02:00:00:00:00:05")
        XCTAssertEqual(a.ip?.description, "10.89.42.5")
        XCTAssertEqual(a.mac?.description, "02:00:00:00:00:05")
        XCTAssertEqual(try CNIArgs(parsing: "IgnoreUnknown=true;X=1").ip, nil)
        XCTAssertEqual(try CNIArgs(parsing: "").ip, nil)
        XCTAssertThrowsError(try CNIArgs(parsing: "X=1"))
        XCTAssertThrowsError(try CNIArgs(parsing: "IP=10.0.0.300"))
        XCTAssertThrowsError(try CNIArgs(parsing: "novalue"))
    }
}
