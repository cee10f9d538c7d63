import BerthAddress
@testable import BerthDNSWire
import XCTest

/// Names: text form both ways, limits, case-insensitive identity with the case kept, reverse
/// names both ways.
final class DNSNameTests: XCTestCase {
    func testTextRoundTripAndCase() throws {
        let name = try DNSName("Db.Berth.internal")
        XCTAssertEqual(name.description, "Db.Berth.internal.")
        XCTAssertEqual(name, try DNSName("db.berth.INTERNAL."))
        XCTAssertEqual(name.hashValue, try DNSName("DB.BERTH.INTERNAL").hashValue)
        XCTAssertEqual(name.labelCount, 3)
        XCTAssertEqual(name.wire, Packets.hex("02'Db'05'Berth'08'internal'"))
        XCTAssertEqual(name.lowercased.description, "db.berth.internal.")
        XCTAssertTrue(name.isSubdomain(of: try DNSName("berth.internal")))
        XCTAssertTrue(name.isSubdomain(of: .root))
        XCTAssertFalse(name.isSubdomain(of: try DNSName("erth.internal")))
        XCTAssertEqual(name.droppingFirst(), try DNSName("berth.internal"))
        XCTAssertEqual(try DNSName("."), .root)
        XCTAssertEqual(DNSName.root.description, ".")
    }

    func testEscapes() throws {
        let name = try DNSName(#"a\.b.c\032d.\\"#)
        XCTAssertEqual(name.labels.map(Array.init), [Array("a.b".utf8), Array("c d".utf8), [0x5C]])
        XCTAssertEqual(name.description, #"a\.b.c\032d.\\."#)
        XCTAssertEqual(try DNSName(name.description), name)
    }

    func testInvalidText() {
        let long63 = String(repeating: "a", count: 63)
        XCTAssertNoThrow(try DNSName(long63 + ".x"))
        let tooLong = [long63, long63, long63, long63].joined(separator: ".")  // 257 bytes in wire form
        for bad in ["", "a..b", ".a", "..", long63 + "a.x", tooLong, #"a\"#, #"a\25"#, #"a\256"#] {
            XCTAssertThrowsError(try DNSName(bad), bad)
        }
        XCTAssertNoThrow(try DNSName(String(tooLong.dropFirst(2))))  // 255 bytes: fits
    }

    func testReverseIPv4() throws {
        let address = try XCTUnwrap(IPv4Address("10.88.0.5"))
        let name = DNSName(reverseOf: address)
        XCTAssertEqual(name.description, "5.0.88.10.in-addr.arpa.")
        XCTAssertEqual(name.reverseAddress, .v4(address))
        XCTAssertEqual(try DNSName("5.0.88.10.IN-ADDR.ARPA").reverseAddress, .v4(address))
        for bad in ["0.88.10.in-addr.arpa", "05.0.88.10.in-addr.arpa", "256.0.88.10.in-addr.arpa",
                    "x.0.88.10.in-addr.arpa", "1.5.0.88.10.in-addr.arpa", "5.0.88.10.in-addr.arpa.com",
                    "5.0.88.10.example.arpa"] {
            XCTAssertNil(try DNSName(bad).reverseAddress, bad)
        }
    }

    func testReverseIPv6() throws {
        // RFC 3596 §2.5's example.
        let address = try XCTUnwrap(IPv6Address("4321:0:1:2:3:4:567:89ab"))
        let name = DNSName(reverseOf: address)
        XCTAssertEqual(name.description,
                       "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4.ip6.arpa.")
        XCTAssertEqual(name.reverseAddress, .v6(address))
        XCTAssertEqual(try DNSName(name.description.uppercased()).reverseAddress, .v6(address))
        XCTAssertEqual(DNSName(reverseOf: IPAddress.v6(address)), name)
        XCTAssertNil(name.droppingFirst().reverseAddress, "31 nibbles")
        XCTAssertNil(try DNSName("g" + name.description.dropFirst()).reverseAddress)
        XCTAssertNil(try DNSName("ba" + name.description.dropFirst()).reverseAddress)
    }
}
