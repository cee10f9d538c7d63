import BerthAddress
@testable import BerthNetlink
import CBerthShim
import Glibc
import XCTest

/// The overlay's requests byte for byte (layouts as in ``RouteRequestEncodingTests``; ndmsg is
/// 12 bytes: family, pad, pad16, ifindex, state u16, flags u8, type u8), their constants against
/// the uapi headers, and the replies Berth decodes from them.
final class OverlayRequestTests: XCTestCase {
    func hex(_ bytes: [UInt8]) -> String {
        bytes.map { b in String(b, radix: 16).count == 1 ? "0" + String(b, radix: 16) : String(b, radix: 16) }.joined()
    }
    func le32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
    func le16(_ v: UInt16) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }

    let mac = MACAddress("02:00:00:00:00:02")!
    let gateway = IPv4Address("10.240.2.0")!
    let vtep = IPv4Address("198.51.100.12")!

    func testVXLANLinkCarriesIdLocalPortInNetworkOrderAndNoLearning() throws {
        let bytes = RouteRequests.createVXLAN(name: "bv0123456789ab", vni: 4096, local: IPv4Address("198.51.100.11")!,
                                              port: 4789, mac: MACAddress("02:00:00:00:00:01")!, mtu: 1450).finalized(sequence: 3)
        XCTAssertEqual(hex(bytes),
            "7c000000" + "1000" + "0506" + "03000000" + "00000000"     // len 124, RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE
          + "00000000" + "00000000" + "00000000" + "00000000"           // ifinfomsg: left down
          + "1300" + "0300" + hex(Array("bv0123456789ab".utf8)) + "00" + "00"   // IFLA_IFNAME + pad
          + "0a00" + "0100" + "020000000001" + "0000"                    // IFLA_ADDRESS
          + "0800" + "0400" + "aa050000"                                 // IFLA_MTU 1450
          + "3400" + "1200"                                              // IFLA_LINKINFO (52)
          + "0a00" + "0100" + "76786c616e00" + "0000"                    //   KIND "vxlan\0"
          + "2400" + "0200"                                              //   DATA (36)
          + "0800" + "0100" + "00100000"                                 //     IFLA_VXLAN_ID 4096
          + "0800" + "0400" + "c633640b"                                 //     IFLA_VXLAN_LOCAL 198.51.100.11
          + "0600" + "0f00" + "12b5" + "0000"                            //     IFLA_VXLAN_PORT 4789, big-endian
          + "0500" + "0700" + "00" + "000000")                           //     IFLA_VXLAN_LEARNING 0
    }

    func testNeighbourIsPermanentOnTheDevice() {
        XCTAssertEqual(hex(RouteRequests.addNeighbour(gateway, mac: mac, index: 7).finalized(sequence: 1)),
            "30000000" + "1c00" + "0505" + "01000000" + "00000000"     // len 48, RTM_NEWNEIGH, REQUEST|ACK|REPLACE|CREATE
          + "02" + "00" + "0000" + "07000000" + "8000" + "00" + "00"    // AF_INET, ifindex 7, NUD_PERMANENT
          + "0800" + "0100" + "0af00200"                                 // NDA_DST 10.240.2.0
          + "0a00" + "0200" + "020000000002" + "0000")                   // NDA_LLADDR
        XCTAssertEqual(hex(RouteRequests.deleteNeighbour(gateway, index: 7).finalized(sequence: 1)),
            "24000000" + "1d00" + "0500" + "01000000" + "00000000"     // len 36, RTM_DELNEIGH, REQUEST|ACK
          + "02" + "00" + "0000" + "07000000" + "0000" + "00" + "00"
          + "0800" + "0100" + "0af00200")
    }

    func testFDBEntryIsTheDevicesOwnAndPermanent() {
        XCTAssertEqual(hex(RouteRequests.addFDB(mac: mac, destination: vtep, index: 7).finalized(sequence: 2)),
            "30000000" + "1c00" + "0505" + "02000000" + "00000000"
          + "07" + "00" + "0000" + "07000000" + "8000" + "02" + "00"    // AF_BRIDGE, ifindex 7, NUD_PERMANENT, NTF_SELF
          + "0a00" + "0200" + "020000000002" + "0000"                    // NDA_LLADDR
          + "0800" + "0100" + "c633640c")                                // NDA_DST 198.51.100.12
        XCTAssertEqual(hex(RouteRequests.deleteFDB(mac: mac, destination: vtep, index: 7).finalized(sequence: 2)),
            "30000000" + "1d00" + "0500" + "02000000" + "00000000"
          + "07" + "00" + "0000" + "07000000" + "0000" + "02" + "00"
          + "0a00" + "0200" + "020000000002" + "0000"
          + "0800" + "0100" + "c633640c")
    }

    func testOnLinkRouteIsTaggedWithBerthsProtocol() {
        let block = IPv4Subnet("10.240.2.0/24")!
        XCTAssertEqual(hex(RouteRequests.addOnLinkRoute(block, via: gateway, index: 7).finalized(sequence: 4)),
            "34000000" + "1800" + "0505" + "04000000" + "00000000"     // len 52, RTM_NEWROUTE, REQUEST|ACK|REPLACE|CREATE
          + "02" + "18" + "00" + "00" + "fe" + "be" + "00" + "01"       // AF_INET /24, main, proto 190, universe, unicast
          + "04000000"                                                   // RTNH_F_ONLINK
          + "0800" + "0100" + "0af00200"                                 // RTA_DST
          + "0800" + "0500" + "0af00200"                                 // RTA_GATEWAY
          + "0800" + "0400" + "07000000")                                // RTA_OIF 7
        XCTAssertEqual(hex(RouteRequests.deleteOnLinkRoute(block, via: gateway, index: 7).finalized(sequence: 4)),
            "34000000" + "1900" + "0500" + "04000000" + "00000000"
          + "02" + "18" + "00" + "00" + "fe" + "be" + "ff" + "01" + "04000000"   // scope NOWHERE: any
          + "0800" + "0100" + "0af00200" + "0800" + "0500" + "0af00200" + "0800" + "0400" + "07000000")
    }

    func testRouteLookupAndDumps() {
        XCTAssertEqual(hex(RouteRequests.lookupRoute(to: vtep).finalized(sequence: 5)),
            "24000000" + "1a00" + "0100" + "05000000" + "00000000"     // len 36, RTM_GETROUTE, REQUEST
          + "02" + "20" + "00" + "00" + "00" + "00" + "00" + "00" + "00000000"   // AF_INET /32
          + "0800" + "0100" + "c633640c")
        XCTAssertEqual(hex(RouteRequests.dumpNeighbours().finalized(sequence: 6)),
            "1c000000" + "1e00" + "0103" + "06000000" + "00000000" + "02" + "00" + "0000" + "00000000" + "0000" + "00" + "00")
        XCTAssertEqual(hex(RouteRequests.dumpFDB().finalized(sequence: 6)),
            "1c000000" + "1e00" + "0103" + "06000000" + "00000000" + "07" + "00" + "0000" + "00000000" + "0000" + "00" + "00")
    }

    func testConstantsAreTheKernels() {
        XCTAssertEqual(Int(RTM.newNeigh), Int(RTM_NEWNEIGH))
        XCTAssertEqual(Int(RTM.delNeigh), Int(RTM_DELNEIGH))
        XCTAssertEqual(Int(RTM.getNeigh), Int(RTM_GETNEIGH))
        XCTAssertEqual(Int(IFLAVXLAN.id), Int(IFLA_VXLAN_ID))
        XCTAssertEqual(Int(IFLAVXLAN.local), Int(IFLA_VXLAN_LOCAL))
        XCTAssertEqual(Int(IFLAVXLAN.learning), Int(IFLA_VXLAN_LEARNING))
        XCTAssertEqual(Int(IFLAVXLAN.port), Int(IFLA_VXLAN_PORT))
        XCTAssertEqual(Int(NDA.dst), Int(NDA_DST))
        XCTAssertEqual(Int(NDA.lladdr), Int(NDA_LLADDR))
        XCTAssertEqual(Int(NDA.nudPermanent), Int(NUD_PERMANENT))
        XCTAssertEqual(Int(NDA.ntfSelf), Int(NTF_SELF))
        XCTAssertEqual(NDA.headerSize, MemoryLayout<ndmsg>.size)
        XCTAssertEqual(Int(AddressFamily.bridge), Int(AF_BRIDGE))
        XCTAssertEqual(RTA.flagOnLink, UInt32(RTNH_F_ONLINK))
        XCTAssertEqual(Int(RTA.prefsrc), Int(RTA_PREFSRC.rawValue))
    }

    func message(_ type: UInt16, _ payload: [UInt8]) throws -> NetlinkMessage {
        let bytes = le32(UInt32(16 + payload.count)) + le16(type) + le16(NLFlag.multi) + le32(1) + le32(0) + payload
        return try XCTUnwrap(NetlinkMessage.parse(bytes).first)
    }

    func testNeighbourAndFDBRepliesDecode() throws {
        let neighbour = try XCTUnwrap(NeighbourEntry(try message(RTM.newNeigh,
            [2, 0, 0, 0] + le32(7) + le16(0x80) + [0, 1]
          + le16(8) + le16(NDA.dst) + gateway.bytes + le16(10) + le16(NDA.lladdr) + mac.bytes + [0, 0])))
        XCTAssertEqual(neighbour.family, AddressFamily.inet)
        XCTAssertEqual(neighbour.index, 7)
        XCTAssertTrue(neighbour.isPermanent)
        XCTAssertEqual(neighbour.destination, gateway)
        XCTAssertEqual(neighbour.mac, mac)
        let fdb = try XCTUnwrap(NeighbourEntry(try message(RTM.newNeigh,
            [7, 0, 0, 0] + le32(7) + le16(0x80) + [2, 0]
          + le16(10) + le16(NDA.lladdr) + mac.bytes + [0, 0] + le16(8) + le16(NDA.dst) + vtep.bytes)))
        XCTAssertEqual(fdb.family, AddressFamily.bridge)
        XCTAssertEqual(fdb.flags, NDA.ntfSelf)
        XCTAssertEqual(fdb.destination, vtep)
        XCTAssertEqual(fdb.mac, mac)
        XCTAssertNil(NeighbourEntry(try message(RTM.newNeigh, [2, 0, 0])))
    }

    func testRouteRepliesDecodeProtocolFlagsAndSource() throws {
        let route = try XCTUnwrap(TaggedRoute(try message(RTM.newRoute,
            [2, 24, 0, 0, 254, 190, 0, 1] + le32(4)
          + le16(8) + le16(RTA.dst) + gateway.bytes + le16(8) + le16(RTA.gateway) + gateway.bytes
          + le16(8) + le16(RTA.oif) + le32(7))))
        XCTAssertEqual(route.destination, IPv4Subnet("10.240.2.0/24"))
        XCTAssertEqual(route.gateway, gateway)
        XCTAssertEqual(route.outputIndex, 7)
        XCTAssertEqual(route.proto, RouteField.protocolBerth)
        XCTAssertTrue(route.isOnLink)
        XCTAssertEqual(route.table, 254)
        let lookup = try XCTUnwrap(TaggedRoute(try message(RTM.newRoute,
            [2, 32, 0, 0, 254, 2, 253, 1] + le32(0x200)
          + le16(8) + le16(RTA.dst) + vtep.bytes + le16(8) + le16(RTA.oif) + le32(3)
          + le16(8) + le16(RTA.prefsrc) + IPv4Address("198.51.100.11")!.bytes)))
        XCTAssertEqual(lookup.preferredSource, IPv4Address("198.51.100.11"))
        XCTAssertEqual(lookup.outputIndex, 3)
        XCTAssertFalse(lookup.isOnLink)
    }

    func testVXLANLinkReplyDecodes() throws {
        let data = le16(8) + le16(IFLAVXLAN.id) + le32(4096) + le16(8) + le16(IFLAVXLAN.local) + [198, 51, 100, 11]
            + le16(6) + le16(IFLAVXLAN.port) + [0x12, 0xb5, 0, 0] + le16(5) + le16(IFLAVXLAN.learning) + [0, 0, 0, 0]
        let info = le16(12) + le16(IFLA.infoKind) + Array("vxlan".utf8) + [0, 0, 0] + le16(UInt16(4 + data.count)) + le16(IFLA.infoData) + data
        let payload: [UInt8] = [0, 0] + le16(1) + le32(5) + le32(1) + le32(0) + le16(UInt16(4 + info.count)) + le16(IFLA.linkinfo) + info
        let vxlan = try XCTUnwrap(VXLANInfo(try message(RTM.newLink, payload)))
        XCTAssertEqual(vxlan, try XCTUnwrap(VXLANInfo(try message(RTM.newLink, payload))))
        XCTAssertEqual(vxlan.vni, 4096)
        XCTAssertEqual(vxlan.local, IPv4Address("198.51.100.11"))
        XCTAssertEqual(vxlan.port, 4789)
        XCTAssertFalse(vxlan.learning)
    }
}
