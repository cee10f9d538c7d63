import XCTest
@testable import BerthCNI
import BerthAddress
import BerthEngine

/// A macvlan network from a CNI configuration: the reference macvlan plugin's keys (`master`,
/// `mode`) or Berth's (`parent`), and what is refused.
final class MacvlanConfigTests: XCTestCase {
    private func spec(_ json: String) throws -> NetworkSpec {
        try CNIConfig(json: Array(json.utf8)).networkSpec()
    }

    private func error(_ json: String) -> CNIError? {
        do { _ = try spec(json); return nil } catch { return error as? CNIError }
    }

    func testReferencePluginKeys() throws {
        let s = try spec(#"{"name":"lan","driver":"macvlan","master":"eth0","mode":"private","ipam":{"type":"host-local","subnet":"192.168.1.0/24","gateway":"192.168.1.1"}}"#)
        XCTAssertEqual(s.driver, "macvlan")
        XCTAssertEqual(s.parent, "eth0")
        XCTAssertEqual(s.driverOptions, ["mode": "private"])
        XCTAssertEqual(s.subnet, IPv4Subnet("192.168.1.0/24"))
        XCTAssertFalse(s.dns, "no name service by default on macvlan")
    }

    func testParentKeyAndNoMode() throws {
        let s = try spec(#"{"name":"lan","driver":"macvlan","parent":"eth1","subnet":"192.168.2.0/24"}"#)
        XCTAssertEqual(s.parent, "eth1")
        XCTAssertEqual(s.driverOptions, [:])
        XCTAssertNoThrow(try spec(#"{"name":"lan","driver":"macvlan","parent":"eth1","master":"eth1"}"#))
    }

    func testBridgeConfigsAreAsBefore() throws {
        let s = try spec(#"{"name":"b","bridge":"br7"}"#)
        XCTAssertNil(s.driver)
        XCTAssertNil(s.parent)
        XCTAssertTrue(s.dns)
        XCTAssertEqual(try spec(#"{"name":"b","driver":"bridge"}"#).driver, "bridge")
    }

    func testRefusals() {
        XCTAssertEqual(error(#"{"name":"lan","driver":"macvlan"}"#)?.code, .invalidConfig, "no master")
        XCTAssertEqual(error(#"{"name":"lan","driver":"macvlan","master":"eth0","parent":"eth1"}"#)?.code, .invalidConfig, "two parents")
        XCTAssertEqual(error(#"{"name":"lan","driver":"macvlan","master":"eth0","bridge":"br0"}"#)?.code, .invalidConfig, "a bridge")
        XCTAssertEqual(error(#"{"name":"lan","driver":"macvlan","master":"a/b"}"#)?.code, .invalidConfig, "a bad name")
        XCTAssertEqual(error(#"{"name":"lan","master":"eth0"}"#)?.code, .invalidConfig, "master without the driver")
        XCTAssertEqual(error(#"{"name":"lan","driver":"bridge","mode":"vepa"}"#)?.code, .invalidConfig, "mode on a bridge")
        XCTAssertEqual(error(#"{"name":"lan","driver":"ipvlan","master":"eth0"}"#)?.code, .unsupportedField, "unknown driver")
    }
}
