import BerthAddress
@testable import BerthNetlink
import CBerthShim
import XCTest

/// The macvlan request, byte for byte (layouts as in ``RouteRequestEncodingTests``), the mode's
/// kernel values against linux/if_link.h, and a macvlan's mode decoded from a link reply.
final class MacvlanRequestTests: XCTestCase {
    func hex(_ bytes: [UInt8]) -> String {
        bytes.map { b in String(b, radix: 16).count == 1 ? "0" + String(b, radix: 16) : String(b, radix: 16) }.joined()
    }

    func testMacvlanIsBornInTheContainerUnderItsFinalName() throws {
        let mac = try XCTUnwrap(MACAddress("02:42:ac:11:00:02"))
        let bytes = RouteRequests.createMacvlan(name: "eth0", parent: 4, mode: .bridge, mtu: 1400,
                                                mac: mac, namespaceFD: 6).finalized(sequence: 1)
        XCTAssertEqual(hex(bytes),
            "6c000000" + "1000" + "0506" + "01000000" + "00000000"     // len 108, RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE
          + "00000000" + "00000000" + "00000000" + "00000000"           // ifinfomsg: nothing, link down
          + "0900" + "0300" + "6574683000" + "000000"                    // IFLA_IFNAME "eth0\0" + pad
          + "0a00" + "0100" + "0242ac110002" + "0000"                    // IFLA_ADDRESS + pad
          + "0800" + "0400" + "78050000"                                 // IFLA_MTU 1400
          + "0800" + "0500" + "04000000"                                 // IFLA_LINK: the parent, index 4
          + "0800" + "1c00" + "06000000"                                 // IFLA_NET_NS_FD 6
          + "1c00" + "1200"                                              // IFLA_LINKINFO (28)
          + "0c00" + "0100" + "6d6163766c616e00"                         //   KIND "macvlan\0"
          + "0c00" + "0200"                                              //   DATA (12)
          + "0800" + "0100" + "04000000")                                //     IFLA_MACVLAN_MODE bridge (4)
    }

    func testMacvlanWithoutMACOrMTULeavesThemToTheKernel() {
        let bytes = RouteRequests.createMacvlan(name: "eth1", parent: 2, mode: .passthru, mtu: 0,
                                                mac: nil, namespaceFD: 9).finalized(sequence: 7)
        XCTAssertEqual(hex(bytes),
            "58000000" + "1000" + "0506" + "07000000" + "00000000"     // len 88
          + "00000000" + "00000000" + "00000000" + "00000000"
          + "0900" + "0300" + "6574683100" + "000000"                    // IFLA_IFNAME "eth1\0"
          + "0800" + "0500" + "02000000"                                 // IFLA_LINK 2
          + "0800" + "1c00" + "09000000"                                 // IFLA_NET_NS_FD 9
          + "1c00" + "1200" + "0c00" + "0100" + "6d6163766c616e00"
          + "0c00" + "0200" + "0800" + "0100" + "08000000")              // mode passthru (8)
    }

    func testModeValuesAreTheKernels() {
        XCTAssertEqual(Int(IFLA.macvlanMode), Int(IFLA_MACVLAN_MODE))
        XCTAssertEqual(MacvlanMode.private.kernelValue, UInt32(MACVLAN_MODE_PRIVATE.rawValue))
        XCTAssertEqual(MacvlanMode.vepa.kernelValue, UInt32(MACVLAN_MODE_VEPA.rawValue))
        XCTAssertEqual(MacvlanMode.bridge.kernelValue, UInt32(MACVLAN_MODE_BRIDGE.rawValue))
        XCTAssertEqual(MacvlanMode.passthru.kernelValue, UInt32(MACVLAN_MODE_PASSTHRU.rawValue))
        XCTAssertEqual(MacvlanMode.source.kernelValue, UInt32(MACVLAN_MODE_SOURCE.rawValue))
        for mode in MacvlanMode.allCases { XCTAssertEqual(MacvlanMode(kernelValue: mode.kernelValue), mode) }
        XCTAssertNil(MacvlanMode(kernelValue: 3))
        XCTAssertEqual(MacvlanMode(rawValue: "passthru"), .passthru)
    }

    func le32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
    func le16(_ v: UInt16) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }

    func testLinkReplyCarriesTheMacvlanMode() throws {
        let attrs = le16(9) + le16(IFLA.ifname) + Array("eth0".utf8) + [0, 0, 0, 0]
            + le16(28) + le16(IFLA.linkinfo)
            + le16(12) + le16(IFLA.infoKind) + Array("macvlan".utf8) + [0]
            + le16(12) + le16(IFLA.infoData) + le16(8) + le16(IFLA.macvlanMode) + le32(1)
        let payload: [UInt8] = [0, 0] + le16(1) + le32(5) + le32(1) + le32(0) + attrs
        let message = le32(UInt32(16 + payload.count)) + le16(RTM.newLink) + le16(0) + le32(1) + le32(0) + payload
        let link = try XCTUnwrap(LinkInfo(try XCTUnwrap(NetlinkMessage.parse(message).first)))
        XCTAssertEqual(link.kind, "macvlan")
        XCTAssertEqual(link.macvlanMode, .private)
    }
}
