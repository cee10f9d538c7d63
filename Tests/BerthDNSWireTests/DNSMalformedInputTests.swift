@testable import BerthDNSWire
import XCTest

/// Every class of malformed input throws (and never traps or reads past the data).
final class DNSMalformedInputTests: XCTestCase {
    private func assertThrows(_ bytes: [UInt8], _ expected: DNSWireError, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try DNSMessage(parsing: bytes), file: file, line: line) { error in
            XCTAssertEqual(error as? DNSWireError, expected, file: file, line: line)
        }
    }

    /// A header with the given counts.
    private func header(_ qd: UInt8, _ an: UInt8 = 0, _ ns: UInt8 = 0, _ ar: UInt8 = 0) -> [UInt8] {
        [0, 1, 0, 0, 0, qd, 0, an, 0, ns, 0, ar]
    }

    func testTruncatedHeader() {
        for count in 0..<12 { assertThrows(Array(Packets.query.prefix(count)), .truncated(offset: count / 2 * 2)) }
    }

    func testEveryPrefixOfAValidMessageThrows() {
        for packet in [Packets.query, Packets.answer, Packets.cnameChain, Packets.ednsQuery] {
            for count in 0..<packet.count {
                XCTAssertThrowsError(try DNSMessage(parsing: Array(packet.prefix(count))), "\(count)")
            }
        }
    }

    func testCountsLargerThanTheData() {
        assertThrows(header(1), .truncated(offset: 12))
        var bytes = Packets.answer
        bytes[7] = 2  // two answers, one present
        assertThrows(bytes, .truncated(offset: bytes.count))
        bytes = Packets.query
        bytes[11] = 0xFF  // 255 additional records, none present
        assertThrows(bytes, .truncated(offset: bytes.count))
    }

    func testLabelLengthOverflow() {
        assertThrows(header(1) + [10] + Array("abc".utf8), .truncated(offset: 12))
        assertThrows(header(1) + [0x40, 0, 0, 1, 0, 1], .badLabel(offset: 12))
        assertThrows(header(1) + [0x80, 0, 0, 1, 0, 1], .badLabel(offset: 12))
    }

    func testPointerLoops() {
        // A pointer to itself.
        assertThrows(header(1) + [0xC0, 12, 0, 1, 0, 1], .badPointer(offset: 12))
        // Two names pointing at each other: the first one's pointer goes forward.
        assertThrows(header(2) + [0xC0, 18, 0, 1, 0, 1, 0xC0, 12, 0, 1, 0, 1], .badPointer(offset: 12))
        // A label then a pointer back to that label.
        assertThrows(header(1) + [1, 0x61, 0xC0, 12, 0, 1, 0, 1], .badPointer(offset: 14))
    }

    func testPointerPastTheEnd() {
        assertThrows(header(1) + [0xC0, 0xFF, 0, 1, 0, 1], .badPointer(offset: 12))
        assertThrows(header(1) + [0xFF, 0xFF, 0, 1, 0, 1], .badPointer(offset: 12))
        assertThrows(header(1) + [0xC0], .truncated(offset: 12))
    }

    func testTooManyPointers() {
        // An opaque record holding a root label and a chain of 200 pointers, each to the one
        // before; the next record's owner points at the end of the chain.
        // The chain starts at offset 23 (header, a root owner, 10 bytes of fields).
        var rdata: [UInt8] = [0]
        for k in 0..<200 {
            let target = k == 0 ? 23 : 24 + 2 * (k - 1)
            rdata += [0xC0 | UInt8(target >> 8), UInt8(target & 0xFF)]
        }
        let chainEnd = 24 + 2 * 199
        let bytes = header(0, 2) + [0, 0xFF, 0x00, 0, 1, 0, 0, 0, 0, UInt8(rdata.count >> 8), UInt8(rdata.count & 0xFF)]
            + rdata + [0xC0 | UInt8(chainEnd >> 8), UInt8(chainEnd & 0xFF), 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4]
        assertThrows(bytes, .tooManyPointers)
    }

    func testNameTooLong() {
        let label = [63] + [UInt8](repeating: 0x61, count: 63)
        assertThrows(header(1) + label + label + label + label + [0, 0, 1, 0, 1], .nameTooLong)
        // 254 bytes (3×64 + a 61-byte label + root) is the longest that parses.
        let last = [61] + [UInt8](repeating: 0x61, count: 61)
        XCTAssertNoThrow(try DNSMessage(parsing: header(1) + label + label + label + last + [0, 0, 1, 0, 1]))
        // Too long only once pointers are followed: the second name is a label before the first.
        let first = label + label + label + last + [0, 0, 1, 0, 1]
        assertThrows(header(2) + first + [1, 0x62, 0xC0, 12, 0, 1, 0, 1], .nameTooLong)
    }

    func testRDLengthPastTheEnd() {
        var bytes = Packets.answer
        bytes.removeLast(2)
        assertThrows(bytes, .truncated(offset: bytes.count - 2))
        bytes = Packets.answer
        bytes[bytes.count - 5] = 0x40  // RDLENGTH 0x0004 → 0x4004
        assertThrows(bytes, .truncated(offset: bytes.count - 4))
    }

    func testRecordDataNotMatchingItsType() {
        var bytes = Packets.answer + [9]
        bytes[bytes.count - 6] = 5  // an A record of 5 bytes
        assertThrows(bytes, .badRecordData(type: 1, offset: bytes.count - 5))
        // A CNAME whose name runs past its RDLENGTH.
        bytes = Packets.cnameChain
        bytes[12 + 21 + 11] = 1
        XCTAssertThrowsError(try DNSMessage(parsing: bytes))
        // An SOA without its five numbers.
        let soa = header(0, 1) + [0, 0, 6, 0, 1, 0, 0, 0, 0, 0, 2, 0, 0]
        assertThrows(soa, .badRecordData(type: 6, offset: 23))
    }

    func testMisplacedOrRepeatedOPT() {
        let opt: [UInt8] = [0, 0, 41, 4, 0, 0, 0, 0, 0, 0, 0]
        assertThrows(header(0, 1) + opt, .badOPT)
        assertThrows(header(0, 0, 0, 2) + opt + opt, .badOPT)
        assertThrows(header(0, 0, 0, 1) + [1, 0x61, 0] + opt.dropFirst(), .badOPT)
        // An option longer than the OPT's RDATA.
        assertThrows(header(0, 0, 0, 1) + [0, 0, 41, 4, 0, 0, 0, 0, 0, 0, 4, 0, 10, 0, 1],
                     .badRecordData(type: 41, offset: 27))
    }
}
