@testable import BerthCNI
import XCTest

/// Configuration documents that are valid JSON but not the shape Berth expects, and host-local
/// IPAM sections.
final class ConfigShapeTests: XCTestCase {
    func testShapeErrorsNameTheMember() {
        let input = Array(#"{"cniVersion":"1.0.0","name":"n","runtimeConfig":{"portMappings":[{"hostPort":"80","containerPort":80}]}}"#.utf8)
        XCTAssertThrowsError(try CNIConfig(json: input)) { error in
            XCTAssertEqual("\(error)", "runtimeConfig.portMappings[0].hostPort: expected an integer")
        }
    }

    func testHostLocalRanges() throws {
        let input = Array(#"{"name":"n","ipam":{"type":"host-local","ranges":[[{"subnet":"10.1.0.0/24","gateway":"10.1.0.1"}]],"routes":[{"dst":"0.0.0.0/0"}]}}"#.utf8)
        let config = try CNIConfig(json: input)
        XCTAssertEqual(config.ipam?.ranges?.first?.first?.subnet, "10.1.0.0/24")
        XCTAssertEqual(config.ipam?.routes, [CNIConfig.Route(dst: "0.0.0.0/0", gw: nil)])
    }
}

/// Whether a CNI ADD may open the default state directory before decoding its configuration.
final class StateDirectoryMentionTests: XCTestCase {
    func testOnlyAConfigurationNamingStateDirKeepsTheDefault() {
        XCTAssertFalse(CNIPlugin.mentionsStateDirectory(Array(#"{"name":"n","type":"berth"}"#.utf8)))
        XCTAssertFalse(CNIPlugin.mentionsStateDirectory([]))
        XCTAssertTrue(CNIPlugin.mentionsStateDirectory(Array(#"{"name":"n","stateDir":"/x"}"#.utf8)))
        XCTAssertTrue(CNIPlugin.mentionsStateDirectory(Array(#""stateDir""#.utf8)))
    }
}
