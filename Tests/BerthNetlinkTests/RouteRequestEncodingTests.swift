import BerthAddress
@testable import BerthNetlink
import XCTest

/// Byte-exact encoding of the requests Berth sends. Expected bytes are written out field by
/// field from the uapi layouts (nlmsghdr 16 bytes, ifinfomsg 16, ifaddrmsg 8, rtmsg 12,
/// rtattr 4-byte header, payloads padded to 4), all integers little-endian (x86-64/arm64 host
/// order), addresses in network order.
final class RouteRequestEncodingTests: XCTestCase {
    func hex(_ bytes: [UInt8]) -> String {
        bytes.map { b in String(b, radix: 16).count == 1 ? "0" + String(b, radix: 16) : String(b, radix: 16) }.joined()
    }

    func testDeleteLinkByIndex() {
        let bytes = RouteRequests.deleteLink(index: 7).finalized(sequence: 0x0102)
        XCTAssertEqual(hex(bytes),
            "20000000" + "1100" + "0500" + "02010000" + "00000000"   // len 32, RTM_DELLINK, REQUEST|ACK, seq, pid
          + "00" + "00" + "0000" + "07000000" + "00000000" + "00000000") // ifinfomsg: index 7
    }

    func testGetLinkByName() {
        let bytes = RouteRequests.getLink(name: "eth0").finalized(sequence: 1)
        XCTAssertEqual(hex(bytes),
            "34000000" + "1200" + "0100" + "01000000" + "00000000"   // len 52, RTM_GETLINK, REQUEST
          + "00000000" + "00000000" + "00000000" + "00000000"         // ifinfomsg
          + "0900" + "0300" + "6574683000" + "000000"                  // IFLA_IFNAME "eth0\0" + pad
          + "0800" + "1d00" + "08000000")                              // IFLA_EXT_MASK SKIP_STATS
    }

    func testAddAddressWithBroadcast() throws {
        let address = try XCTUnwrap(IPv4Interface("10.88.0.2/24"))
        let bytes = RouteRequests.addAddress(address, index: 3).finalized(sequence: 9)
        XCTAssertEqual(hex(bytes),
            "30000000" + "1400" + "0506" + "09000000" + "00000000"   // len 48, RTM_NEWADDR, REQUEST|ACK|EXCL|CREATE
          + "02" + "18" + "00" + "00" + "03000000"                   // AF_INET, /24, flags, scope, index 3
          + "0800" + "0200" + "0a580002"                             // IFA_LOCAL 10.88.0.2
          + "0800" + "0100" + "0a580002"                             // IFA_ADDRESS 10.88.0.2
          + "0800" + "0400" + "0a5800ff")                            // IFA_BROADCAST 10.88.0.255
    }

    func testDeleteAddressNamesTheLocalAddressAndPrefix() throws {
        let address = try XCTUnwrap(IPv4Interface("10.88.0.1/16"))
        let bytes = RouteRequests.deleteAddress(address, index: 7).finalized(sequence: 4)
        XCTAssertEqual(hex(bytes),
            "28000000" + "1500" + "0500" + "04000000" + "00000000"   // len 40, RTM_DELADDR, REQUEST|ACK
          + "02" + "10" + "00" + "00" + "07000000"                   // AF_INET, /16, flags, scope, index 7
          + "0800" + "0200" + "0a580001"                             // IFA_LOCAL 10.88.0.1
          + "0800" + "0100" + "0a580001")                            // IFA_ADDRESS 10.88.0.1
    }

    func testPointToPointAddressHasNoBroadcast() throws {
        let address = try XCTUnwrap(IPv4Interface("10.0.0.1/31"))
        let bytes = RouteRequests.addAddress(address, index: 2).finalized(sequence: 1)
        XCTAssertEqual(bytes.count, 16 + 8 + 8 + 8)
    }

    func testDefaultRoute() throws {
        let gateway = try XCTUnwrap(IPv4Address("172.17.0.1"))
        let bytes = RouteRequests.addDefaultRoute(via: gateway, index: 2).finalized(sequence: 5)
        XCTAssertEqual(hex(bytes),
            "2c000000" + "1800" + "0506" + "05000000" + "00000000"   // len 44, RTM_NEWROUTE, REQUEST|ACK|EXCL|CREATE
          + "02" + "00" + "00" + "00" + "fe" + "03" + "00" + "01"    // AF_INET dst/0 main boot universe unicast
          + "00000000"                                               // rtm_flags
          + "0800" + "0500" + "ac110001"                             // RTA_GATEWAY 172.17.0.1
          + "0800" + "0400" + "02000000")                            // RTA_OIF 2
    }

    func testDefaultRouteWithMetric() throws {
        // A Podman network's metric (netavark's default 100) rides as RTA_PRIORITY after RTA_OIF.
        let gateway = try XCTUnwrap(IPv4Address("10.89.0.1"))
        let bytes = RouteRequests.addDefaultRoute(via: gateway, index: 3, metric: 100).finalized(sequence: 7)
        XCTAssertEqual(hex(bytes),
            "34000000" + "1800" + "0506" + "07000000" + "00000000"   // len 52, RTM_NEWROUTE, REQUEST|ACK|EXCL|CREATE
          + "02" + "00" + "00" + "00" + "fe" + "03" + "00" + "01"    // AF_INET dst/0 main boot universe unicast
          + "00000000"                                               // rtm_flags
          + "0800" + "0500" + "0a590001"                             // RTA_GATEWAY 10.89.0.1
          + "0800" + "0400" + "03000000"                             // RTA_OIF 3
          + "0800" + "0600" + "64000000")                            // RTA_PRIORITY 100
    }

    func testDefaultRouteWithMetricZeroSendsNoPriority() throws {
        let gateway = try XCTUnwrap(IPv4Address("10.89.0.1"))
        XCTAssertEqual(RouteRequests.addDefaultRoute(via: gateway, index: 3, metric: 0).bytes,
                       RouteRequests.addDefaultRoute(via: gateway, index: 3).bytes)
    }

    func testBridgeWithMACAndMTU() throws {
        let mac = try XCTUnwrap(MACAddress("02:42:ac:11:00:01"))
        let bytes = RouteRequests.createBridge(name: "berth0", mac: mac, mtu: 1400).finalized(sequence: 1)
        XCTAssertEqual(hex(bytes),
            "5c000000" + "1000" + "0506" + "01000000" + "00000000"   // len 92, RTM_NEWLINK, REQUEST|ACK|EXCL|CREATE
          + "00" + "00" + "0000" + "00000000" + "01000000" + "01000000" // ifinfomsg: up
          + "0b00" + "0300" + "626572746830" + "00" + "00"           // IFLA_IFNAME "berth0\0" + pad
          + "0a00" + "0100" + "0242ac110001" + "0000"                // IFLA_ADDRESS + pad
          + "0800" + "0400" + "78050000"                             // IFLA_MTU 1400
          + "1c00" + "1200"                                          // IFLA_LINKINFO (28)
          + "0b00" + "0100" + "627269646765" + "00" + "00"           //   IFLA_INFO_KIND "bridge\0" + pad
          + "0c00" + "0200"                                          //   IFLA_INFO_DATA (12)
          + "0500" + "1700" + "00" + "000000")                       //     IFLA_BR_MCAST_SNOOPING 0 + pad
    }

    func testVethPeerIsBornInTheContainerNamespace() throws {
        let mac = try XCTUnwrap(MACAddress("02:00:00:00:00:02"))
        let bytes = RouteRequests.createVeth(hostName: "bv1", master: 4, mtu: 0, peerName: "eth0",
                                             peerNamespaceFD: 6, peerMAC: mac).finalized(sequence: 3)
        XCTAssertEqual(hex(bytes),
            "98000000" + "1000" + "0d06" + "03000000" + "00000000"   // len 152, RTM_NEWLINK, create + ECHO
          + "00" + "00" + "0000" + "00000000" + "00000000" + "00000000" // host end (up comes next)
          + "0800" + "0300" + "62763100"                             // IFLA_IFNAME "bv1\0"
          + "0800" + "1f00" + "01000000"                             // IFLA_NUM_TX_QUEUES 1
          + "0800" + "2000" + "01000000"                             // IFLA_NUM_RX_QUEUES 1
          + "0800" + "0a00" + "04000000"                             // IFLA_MASTER 4
          + "5800" + "1200"                                          // IFLA_LINKINFO (88)
          + "0900" + "0100" + "7665746800" + "000000"                //   KIND "veth\0" + pad
          + "4800" + "0200"                                          //   IFLA_INFO_DATA (72)
          + "4400" + "0100"                                          //     VETH_INFO_PEER (68)
          + "00" + "00" + "0000" + "00000000" + "00000000" + "00000000" // peer ifinfomsg (not up yet)
          + "0900" + "0300" + "6574683000" + "000000"                //       IFLA_IFNAME "eth0\0"
          + "0a00" + "0100" + "020000000002" + "0000"                //       IFLA_ADDRESS
          + "0800" + "1f00" + "01000000"                             //       IFLA_NUM_TX_QUEUES 1
          + "0800" + "2000" + "01000000"                             //       IFLA_NUM_RX_QUEUES 1
          + "0800" + "1c00" + "06000000")                            //       IFLA_NET_NS_FD 6
    }

    func testVethHostEndCarriesItsMACWhenGiven() throws {
        let host = try XCTUnwrap(MACAddress("06:00:00:00:00:09"))
        let bytes = RouteRequests.createVeth(hostName: "bv1", master: 4, mtu: 0, peerName: "eth0",
                                             peerNamespaceFD: 6, peerMAC: nil, hostMAC: host).finalized(sequence: 3)
        // After the ifinfomsg and IFLA_IFNAME: IFLA_ADDRESS (1) with the six octets, padded.
        XCTAssertEqual(hex(Array(bytes[40..<52])), "0a00" + "0100" + "060000000009" + "0000")
    }

    func testAddressGenerationOffByName() {
        XCTAssertEqual(hex(RouteRequests.disableIPv6AddressGeneration(name: "bv1").finalized(sequence: 4)),
            "38000000" + "1000" + "0500" + "04000000" + "00000000"   // len 56, RTM_NEWLINK, REQUEST|ACK
          + "00" + "00" + "0000" + "00000000" + "00000000" + "00000000" // by name, flags untouched
          + "0800" + "0300" + "62763100"                             // IFLA_IFNAME "bv1\0"
          + "1000" + "1a00"                                          // IFLA_AF_SPEC (16)
          + "0c00" + "0a00"                                          //   AF_INET6 (12)
          + "0500" + "0800" + "01" + "000000")                       //     ADDR_GEN_MODE none + pad
    }

    func testAddressGenerationOffByIndexAndUpByName() {
        XCTAssertEqual(hex(RouteRequests.disableIPv6AddressGeneration(index: 7).finalized(sequence: 5)),
            "30000000" + "1000" + "0500" + "05000000" + "00000000"   // len 48
          + "00" + "00" + "0000" + "07000000" + "00000000" + "00000000" // index 7, flags untouched
          + "1000" + "1a00" + "0c00" + "0a00" + "0500" + "0800" + "01" + "000000")
        XCTAssertEqual(hex(RouteRequests.setLinkUp(name: "bv1").finalized(sequence: 6)),
            "28000000" + "1000" + "0500" + "06000000" + "00000000"   // len 40
          + "00" + "00" + "0000" + "00000000" + "01000000" + "01000000" // by name, IFF_UP
          + "0800" + "0300" + "62763100")
    }

    func testVethJoinsItsNetworkGroupAndGroupDelete() {
        let veth = RouteRequests.createVeth(hostName: "bv1", master: 4, mtu: 0, peerName: "eth0",
                                            peerNamespaceFD: 6, peerMAC: nil, group: 0xBE12_3456).finalized(sequence: 1)
        // IFLA_GROUP (27) right after IFLA_MASTER on the host end (after the two queue counts).
        XCTAssertEqual(hex(Array(veth[56..<72])), "0800" + "0a00" + "04000000" + "0800" + "1b00" + "563412be")
        XCTAssertEqual(hex(RouteRequests.deleteLinks(group: 0xBE12_3456).finalized(sequence: 2)),
            "28000000" + "1100" + "0500" + "02000000" + "00000000"       // len 40, RTM_DELLINK, REQUEST|ACK
          + "00000000" + "00000000" + "00000000" + "00000000"             // ifinfomsg: index 0
          + "0800" + "1b00" + "563412be")                                 // IFLA_GROUP
    }

    func testRetiringRequests() {
        // Into the retired group, flags untouched.
        XCTAssertEqual(hex(RouteRequests.setGroup(index: 9, group: 0xBD12_3456).finalized(sequence: 3)),
            "28000000" + "1000" + "0500" + "03000000" + "00000000"   // len 40, RTM_NEWLINK, REQUEST|ACK
          + "00" + "00" + "0000" + "09000000" + "00000000" + "00000000" // index 9, flags untouched
          + "0800" + "1b00" + "563412bd")                            // IFLA_GROUP
        XCTAssertEqual(hex(RouteRequests.setLinkDown(index: 2).finalized(sequence: 4)),
            "20000000" + "1000" + "0500" + "04000000" + "00000000"   // len 32
          + "00" + "00" + "0000" + "02000000" + "00000000" + "01000000") // IFF_UP cleared
        XCTAssertEqual(hex(RouteRequests.rename(index: 2, to: "bd1").finalized(sequence: 5)),
            "28000000" + "1000" + "0500" + "05000000" + "00000000"   // len 40
          + "00" + "00" + "0000" + "02000000" + "00000000" + "00000000"
          + "0800" + "0300" + "62643100")                            // IFLA_IFNAME "bd1\0"
    }

    func testDumpRequestsCarryDumpFlag() {
        for request in [RouteRequests.dumpLinks(), RouteRequests.dumpAddresses(family: 2), RouteRequests.dumpRoutes(family: 2)] {
            let bytes = request.finalized(sequence: 1)
            XCTAssertEqual(UInt16(bytes[6]) | UInt16(bytes[7]) << 8, 0x301)
        }
    }
}
