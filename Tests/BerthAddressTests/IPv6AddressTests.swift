import BerthAddress
import XCTest

/// IPv6 addresses and prefixes: every text form of RFC 4291 in, the canonical form of RFC 5952
/// out, and the prefix arithmetic the IPv6 networks will build on.
final class IPv6AddressTests: XCTestCase {
    func testCanonicalFormOfRFC5952() {
        let cases: [(String, String)] = [
            ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
            ("2001:DB8::1", "2001:db8::1"),                          // lowercase
            ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),           // first of equal runs
            ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),        // one zero group stays
            ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),                 // the longest run
            ("0:0:0:0:0:0:0:0", "::"),
            ("0:0:0:0:0:0:0:1", "::1"),
            ("1:0:0:0:0:0:0:0", "1::"),
            ("fe80::0001", "fe80::1"),
            ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),                // IPv4-mapped: dotted tail
            ("0:0:0:0:0:ffff:c000:0201", "::ffff:192.0.2.1"),
            ("fd12:3456:789a:1::", "fd12:3456:789a:1::"),
            ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
            ("1:2:3:4:5:6:192.0.2.1", "1:2:3:4:5:6:c000:201"),
        ]
        for (input, canonical) in cases {
            guard let address = IPv6Address(input) else { return XCTFail("\(input) did not parse") }
            XCTAssertEqual(address.description, canonical, input)
            XCTAssertEqual(IPv6Address(canonical), address, "\(canonical) parses back")
        }
    }

    func testMalformedTextIsRefused() {
        for bad in ["", ":", ":::", "1:::2", "1::2::3", ":1::", "1::2:", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9",
                    "12345::", "g::1", "::1%eth0", "[::1]", "::1/64", "1.2.3.4", "::1.2.3", "::256.1.1.1",
                    "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3.4:5", " ::1", "::1 ", "1:2:3:4:5:6:7:8::"] {
            XCTAssertNil(IPv6Address(bad), "'\(bad)' must not parse")
        }
    }

    func testBytesRoundTripInNetworkOrder() throws {
        let address = try XCTUnwrap(IPv6Address("2001:db8:1:2:3:4:5:6"))
        XCTAssertEqual(address.bytes, [0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6])
        XCTAssertEqual(IPv6Address(bytes: address.bytes), address)
        XCTAssertNil(IPv6Address(bytes: [UInt8](repeating: 0, count: 15)))
    }

    func testKinds() throws {
        XCTAssertTrue(try XCTUnwrap(IPv6Address("ff02::1")).isMulticast)
        XCTAssertTrue(try XCTUnwrap(IPv6Address("::1")).isLoopback)
        XCTAssertTrue(try XCTUnwrap(IPv6Address("::")).isUnspecified)
        XCTAssertTrue(try XCTUnwrap(IPv6Address("fe80::1")).isLinkLocal)
        XCTAssertTrue(try XCTUnwrap(IPv6Address("febf::1")).isLinkLocal)
        XCTAssertFalse(try XCTUnwrap(IPv6Address("fec0::1")).isLinkLocal)
        XCTAssertTrue(try XCTUnwrap(IPv6Address("fd00::1")).isUniqueLocal)
        XCTAssertTrue(try XCTUnwrap(IPv6Address("fc00::1")).isUniqueLocal)
        XCTAssertFalse(try XCTUnwrap(IPv6Address("fe00::1")).isUniqueLocal)
        XCTAssertFalse(try XCTUnwrap(IPv6Address("2001:db8::1")).isUniqueLocal)
    }

    func testAdvancingCarriesIntoTheHighHalf() throws {
        let last = try XCTUnwrap(IPv6Address("2001:db8::ffff:ffff:ffff:ffff"))
        XCTAssertEqual(last.advanced(by: 1).description, "2001:db8:0:1::")
        XCTAssertLessThan(last, last.advanced(by: 1))
    }

    func testSubnets() throws {
        let subnet = try XCTUnwrap(IPv6Subnet("2001:db8:1::/48"))
        XCTAssertEqual(subnet.description, "2001:db8:1::/48")
        XCTAssertNil(IPv6Subnet("2001:db8::5/64"), "host bits set")
        XCTAssertEqual(IPv6Subnet("2001:db8::5/64", allowHostBits: true)?.description, "2001:db8::/64")
        for bad in ["2001:db8::/129", "2001:db8::/", "2001:db8::/1234", "2001:db8::", "/64", "2001:db8::/-1"] {
            XCTAssertNil(IPv6Subnet(bad), "'\(bad)' must not parse")
        }
        XCTAssertEqual(subnet.firstHost.description, "2001:db8:1::1")
        XCTAssertTrue(subnet.contains(try XCTUnwrap(IPv6Address("2001:db8:1:ffff::9"))))
        XCTAssertFalse(subnet.contains(try XCTUnwrap(IPv6Address("2001:db8:2::1"))))
        let inner = try XCTUnwrap(IPv6Subnet("2001:db8:1:5::/64"))
        XCTAssertTrue(subnet.contains(inner))
        XCTAssertFalse(inner.contains(subnet))
        XCTAssertTrue(subnet.overlaps(inner) && inner.overlaps(subnet))
        XCTAssertFalse(subnet.overlaps(try XCTUnwrap(IPv6Subnet("2001:db8:2::/48"))))
        XCTAssertTrue(try XCTUnwrap(IPv6Subnet("::/0")).contains(try XCTUnwrap(IPv6Address("ff02::1"))))
        XCTAssertEqual(IPv6Subnet("2001:db8::1/128")?.firstHost.description, "2001:db8::1")
        // A prefix boundary inside the low half.
        let narrow = try XCTUnwrap(IPv6Subnet("2001:db8::100/120"))
        XCTAssertTrue(narrow.contains(try XCTUnwrap(IPv6Address("2001:db8::1ff"))))
        XCTAssertFalse(narrow.contains(try XCTUnwrap(IPv6Address("2001:db8::200"))))
    }

    func testInterfaces() throws {
        let interface = try XCTUnwrap(IPv6Interface("2001:db8::5/64"))
        XCTAssertEqual(interface.description, "2001:db8::5/64")
        XCTAssertEqual(interface.subnet.description, "2001:db8::/64")
        XCTAssertNil(IPv6Interface("2001:db8::5"))
    }
}
