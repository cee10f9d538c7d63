import BerthAddress
import XCTest

final class AddressParsingTests: XCTestCase {
    func testIPv4() {
        XCTAssertEqual(IPv4Address("10.0.0.1")?.value, 0x0A00_0001)
        XCTAssertEqual(IPv4Address("255.255.255.255")?.description, "255.255.255.255")
        for bad in ["", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.1.1.1", "1..1.1", "a.b.c.d", "1.2.3.4 ", "-1.2.3.4", "1.2.3.4/24"] {
            XCTAssertNil(IPv4Address(bad), bad)
        }
    }

    func testSubnet() throws {
        let s = try XCTUnwrap(IPv4Subnet("192.168.4.0/22"))
        XCTAssertEqual(s.broadcast.description, "192.168.7.255")
        XCTAssertEqual(s.firstHost.description, "192.168.4.1")
        XCTAssertTrue(s.contains(try XCTUnwrap(IPv4Address("192.168.6.9"))))
        XCTAssertFalse(s.contains(try XCTUnwrap(IPv4Address("192.168.8.1"))))
        XCTAssertNil(IPv4Subnet("10.0.0.7/24"), "host bits set")
        XCTAssertNotNil(IPv4Subnet("10.0.0.7/24", allowHostBits: true))
        for bad in ["10.0.0.0", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/2a", "/24"] {
            XCTAssertNil(IPv4Subnet(bad), bad)
        }
    }

    func testOverlap() throws {
        let a = try XCTUnwrap(IPv4Subnet("10.0.0.0/16"))
        XCTAssertTrue(a.overlaps(try XCTUnwrap(IPv4Subnet("10.0.5.0/24"))))
        XCTAssertTrue(try XCTUnwrap(IPv4Subnet("10.0.5.0/24")).overlaps(a))
        XCTAssertFalse(a.overlaps(try XCTUnwrap(IPv4Subnet("10.1.0.0/24"))))
    }

    func testMAC() throws {
        XCTAssertEqual(MACAddress("02:42:AC:11:00:02")?.description, "02:42:ac:11:00:02")
        XCTAssertNil(MACAddress("02:42:ac:11:00"))
        XCTAssertNil(MACAddress("02:42:ac:11:00:zz"))
        let generated = MACAddress(locallyAdministeredFrom: 0xFFFF_FFFF_FFFF)
        XCTAssertFalse(generated.isMulticast)
        XCTAssertEqual(generated.bytes[0] & 2, 2)
        XCTAssertTrue(try XCTUnwrap(MACAddress("01:00:5e:00:00:01")).isMulticast)
    }
}

final class HexTests: XCTestCase {
    func testRoundTrip() {
        for v: UInt64 in [0, 1, 0xdead_beef, .max, 0x0123_4567_89ab_cdef] {
            XCTAssertEqual(Hex.encode(v).count, 16)
            XCTAssertEqual(Hex.decode(Hex.encode(v)), v)
            XCTAssertEqual(Hex.encode(v), String(repeating: "0", count: 16 - String(v, radix: 16).count) + String(v, radix: 16))
        }
        XCTAssertEqual(Hex.decode("FF"), 255)
        for bad in ["", "g", "0x1", "1 ", "12345678901234567"] { XCTAssertNil(Hex.decode(bad), bad) }
    }
}
