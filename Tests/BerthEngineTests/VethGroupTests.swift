@testable import BerthEngine
import BerthStore
import XCTest

/// Device groups come only from network ids Berth minted: a group shared by accident would
/// make one network's bulk delete take another's veths.
final class VethGroupTests: XCTestCase {
    /// A runtime's id (Podman's are 64 hex digits) gets no group at all.
    func testAnIdBerthDidNotMintGetsNoGroup() {
        let podman = String(repeating: "0123456789abcdef", count: 4)
        XCTAssertNil(BridgeDriver.vethGroup(ofNetworkID: podman))
        XCTAssertNil(BridgeDriver.vethGroup(ofNetworkID: "not-hex-at-all!!"))
        XCTAssertNil(BridgeDriver.vethGroup(ofNetworkID: ""))
    }

    /// Berth's ids get Berth's marker in the top byte and their own low 24 bits.
    func testBerthIdsGetTheMarker() throws {
        let ids = [Store.randomID(), Store.randomID()]
        let groups = try ids.map { try XCTUnwrap(BridgeDriver.vethGroup(ofNetworkID: $0), $0) }
        for (id, group) in zip(ids, groups) {
            XCTAssertEqual(group >> 24, 0xBE, id)
            XCTAssertEqual(group & 0xFF_FFFF, UInt32(id.suffix(6), radix: 16), id)
            XCTAssertTrue(BridgeDriver.isVethGroup(group))
            XCTAssertFalse(BridgeDriver.isRetiredGroup(group))
            XCTAssertTrue(BridgeDriver.isRetiredGroup(BridgeDriver.retiredGroup(of: group)), "retired keeps its own marker")
        }
    }
}
