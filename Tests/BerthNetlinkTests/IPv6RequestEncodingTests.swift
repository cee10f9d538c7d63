import BerthAddress
@testable import BerthNetlink
import XCTest

/// Byte-exact encoding of the IPv6 requests, laid out as in ``RouteRequestEncodingTests``:
/// nlmsghdr 16 bytes, ifaddrmsg 8, rtmsg 12, rtattr 4-byte header, integers little-endian,
/// addresses in network order (an IPv6 address is sixteen bytes, so it needs no padding).
extension RouteRequestEncodingTests {
    func testIPv6AddressWithoutDuplicateAddressDetection() throws {
        let address = try XCTUnwrap(IPv6Interface("2001:db8:1::2/64"))
        let bytes = RouteRequests.addAddress(address, index: 3, noDAD: true).finalized(sequence: 9)
        XCTAssertEqual(hex(bytes),
            "34000000" + "1400" + "0506" + "09000000" + "00000000"   // len 52, RTM_NEWADDR, REQUEST|ACK|EXCL|CREATE
          + "0a" + "40" + "02" + "00" + "03000000"                   // AF_INET6, /64, IFA_F_NODAD, scope, index 3
          + "1400" + "0100" + "20010db8000100000000000000000002"     // IFA_ADDRESS 2001:db8:1::2 (no IFA_LOCAL)
          + "0800" + "0800" + "02000000")                            // IFA_FLAGS IFA_F_NODAD
    }

    func testIPv6AddressWithDuplicateAddressDetectionHasNoFlags() throws {
        let address = try XCTUnwrap(IPv6Interface("fd00::1/128"))
        let bytes = RouteRequests.addAddress(address, index: 2, noDAD: false).finalized(sequence: 1)
        XCTAssertEqual(hex(bytes),
            "2c000000" + "1400" + "0506" + "01000000" + "00000000"   // len 44, no IFA_FLAGS
          + "0a" + "80" + "00" + "00" + "02000000"                   // AF_INET6, /128, no flags, index 2
          + "1400" + "0100" + "fd000000000000000000000000000001")    // IFA_ADDRESS fd00::1
    }

    func testIPv6DeleteAddress() throws {
        let address = try XCTUnwrap(IPv6Interface("2001:db8:1::1/64"))
        let bytes = RouteRequests.deleteAddress(address, index: 3).finalized(sequence: 2)
        XCTAssertEqual(hex(bytes),
            "2c000000" + "1500" + "0500" + "02000000" + "00000000"   // len 44, RTM_DELADDR, REQUEST|ACK
          + "0a" + "40" + "00" + "00" + "03000000"                   // AF_INET6, /64, no flags, index 3
          + "1400" + "0100" + "20010db8000100000000000000000001")    // IFA_ADDRESS 2001:db8:1::1
    }

    func testIPv6DefaultRoute() throws {
        let gateway = try XCTUnwrap(IPv6Address("2001:db8:1::1"))
        let bytes = RouteRequests.addDefaultRoute(via: gateway, index: 2).finalized(sequence: 5)
        XCTAssertEqual(hex(bytes),
            "38000000" + "1800" + "0506" + "05000000" + "00000000"   // len 56, RTM_NEWROUTE, REQUEST|ACK|EXCL|CREATE
          + "0a" + "00" + "00" + "00" + "fe" + "03" + "00" + "01"    // AF_INET6 ::/0 main boot universe unicast
          + "00000000"                                               // rtm_flags
          + "1400" + "0500" + "20010db8000100000000000000000001"     // RTA_GATEWAY 2001:db8:1::1
          + "0800" + "0400" + "02000000")                            // RTA_OIF 2
    }

    func testIPv6DefaultRouteWithMetric() throws {
        let gateway = try XCTUnwrap(IPv6Address("fd00:89::1"))
        let bytes = RouteRequests.addDefaultRoute(via: gateway, index: 4, metric: 200).finalized(sequence: 9)
        XCTAssertEqual(hex(bytes),
            "40000000" + "1800" + "0506" + "09000000" + "00000000"   // len 64, RTM_NEWROUTE, REQUEST|ACK|EXCL|CREATE
          + "0a" + "00" + "00" + "00" + "fe" + "03" + "00" + "01"    // AF_INET6 ::/0 main boot universe unicast
          + "00000000"                                               // rtm_flags
          + "1400" + "0500" + "fd000089000000000000000000000001"     // RTA_GATEWAY fd00:89::1
          + "0800" + "0400" + "04000000"                             // RTA_OIF 4
          + "0800" + "0600" + "c8000000")                            // RTA_PRIORITY 200
    }

    func testIPv6DefaultRouteHasTheIPv4OnesFlags() throws {
        // The same NLM_F_CREATE|NLM_F_EXCL, so an existing default route is EEXIST in both
        // families (without EXCL, IPv6 would merge the two into one multipath route).
        let v4 = RouteRequests.addDefaultRoute(via: try XCTUnwrap(IPv4Address("10.0.0.1")), index: 2).bytes
        let v6 = RouteRequests.addDefaultRoute(via: try XCTUnwrap(IPv6Address("fd00::1")), index: 2).bytes
        XCTAssertEqual(v4[4..<8], v6[4..<8])
    }
}
