@testable import BerthEngine
import BerthAddress
import BerthNetlink
import BerthStore
import XCTest

/// A macvlan network's settings as the driver reads them (parent, mode), the hint line that
/// carries them to a connect before the store is open, its internal name in the store, and how
/// an existing macvlan network agrees (or not) with a runtime's definition.
final class MacvlanOptionsTests: XCTestCase {
    private func record(parent: String = "eth9", options: [String: String] = [:], masquerade: Bool = false) -> NetworkRecord {
        NetworkRecord(name: "lan", id: "0123456789abcdef", bridge: MacvlanDriver.internalName(ofNetworkID: "0123456789abcdef"),
                      subnet: IPv4Subnet("192.168.7.0/24"), gateway: IPv4Address("192.168.7.1"), ipRange: nil, mtu: 0,
                      isInternal: false, masquerade: masquerade, labels: [:], created: 0, driver: "macvlan", firewall: "none",
                      parent: parent, driverOptions: options)
    }

    func testModeDefaultsToBridgeAndEveryKernelModeIsAccepted() throws {
        XCTAssertEqual(try MacvlanOptions(record()), MacvlanOptions(parent: "eth9", mode: .bridge))
        for mode in MacvlanMode.allCases {
            XCTAssertEqual(try MacvlanOptions(record(options: ["mode": mode.rawValue])).mode, mode)
        }
    }

    func testBadOptionsAreRefusedNamingTheProblem() {
        func message(_ body: () throws -> Any) -> String {
            do { _ = try body(); return "" } catch { return "\(error)" }
        }
        XCTAssertEqual(message { try MacvlanOptions(self.record(options: ["mode": "loud"])) },
                       "macvlan mode 'loud' is not one of: private, vepa, bridge, passthru, source")
        XCTAssertEqual(message { try MacvlanOptions(self.record(options: ["vlan": "7"])) },
                       "unknown macvlan option 'vlan': the only one is mode")
        XCTAssertEqual(message { try MacvlanOptions(self.record(parent: "")) },
                       "macvlan network 'lan' needs a parent interface (--parent)")
        XCTAssertEqual(message { try MacvlanOptions(self.record(parent: "a/b")) }, "invalid parent interface 'a/b'")
    }

    /// The store's `bridge` column holds a name no interface can have (the kernel refuses a
    /// colon), unique per network id, and short enough for the hint's device field.
    func testInternalNameIsNoDeviceName() {
        let name = MacvlanDriver.internalName(ofNetworkID: "0123456789abcdef")
        XCTAssertEqual(name, "mv:0123456789ab")
        XCTAssertThrowsError(try Validation.interfaceName(name))
        XCTAssertLessThanOrEqual(name.utf8.count, 15)
    }

    func testHintCarriesParentAndMode() throws {
        let hint = NetworkHint(record(options: ["mode": "private"]))
        XCTAssertEqual(hint.line, "0123456789abcdef mv:0123456789ab 0 macvlan none eth9 private ip4=192.168.7.0/24@192.168.7.1\n")
        XCTAssertEqual(NetworkHint(line: String(hint.line.dropLast())), hint)
        XCTAssertEqual(try MacvlanOptions(hint, network: "lan"), MacvlanOptions(parent: "eth9", mode: .private))
        // Without a mode, "-" keeps the word count.
        let plain = NetworkHint(record())
        XCTAssertEqual(plain.line, "0123456789abcdef mv:0123456789ab 0 macvlan none eth9 - ip4=192.168.7.0/24@192.168.7.1\n")
        XCTAssertEqual(NetworkHint(line: String(plain.line.dropLast())), plain)
        XCTAssertEqual(try MacvlanOptions(plain, network: "lan").mode, .bridge)
        // A bridge's line is as before; six words or a parent too long for a device are damage.
        XCTAssertEqual(NetworkHint(id: "0123456789abcdef", device: "berth0", mtu: 0).line, "0123456789abcdef berth0 0 bridge nftables\n")
        XCTAssertNil(NetworkHint(line: "0123456789abcdef mv:0123456789ab 0 macvlan none eth9"))
        XCTAssertNil(NetworkHint(line: "0123456789abcdef mv:0123456789ab 0 macvlan none a-parent-far-too-long -"))
    }

    func testAgreementComparesParentAndModeButNotNAT() throws {
        var spec = NetworkSpec(name: "lan", subnet: IPv4Subnet("192.168.7.0/24"))
        spec.driver = "macvlan"
        spec.parent = "eth9"
        // masquerade defaults to true in a spec; a macvlan network has none, and agrees.
        XCTAssertNoThrow(try Engine.checkAgreement(record(), spec))
        spec.driverOptions["mode"] = "bridge"
        XCTAssertNoThrow(try Engine.checkAgreement(record(), spec), "bridge is the default mode")
        spec.driverOptions["mode"] = "private"
        XCTAssertThrowsError(try Engine.checkAgreement(record(), spec)) { error in
            XCTAssertEqual("\(error)", "network 'lan' exists with mode bridge, the configuration asks for private")
        }
        spec.driverOptions = [:]
        spec.parent = "eth8"
        XCTAssertThrowsError(try Engine.checkAgreement(record(), spec)) { error in
            XCTAssertEqual("\(error)", "network 'lan' exists with parent eth9, the configuration asks for eth8")
        }
    }
}
