import XCTest
import BerthAddress
import BerthIPAM

/// The unique local /64 of a network that asks for IPv6 without a subnet (RFC 4193): `fd`, the
/// host's 40-bit global ID, then the first free 16-bit subnet ID from 1.
final class UniqueLocalChooserTests: XCTestCase {
    private let globalID: UInt64 = 0x12_3456_789A

    private func subnet(_ text: String) -> IPv6Subnet { IPv6Subnet(text)! }

    func testPrefixIsFdThenTheGlobalID() {
        let prefix = UniqueLocalChooser.prefix(globalID: globalID)
        XCTAssertEqual(prefix.prefixLength, 48)
        XCTAssertEqual(prefix.network.high, 0xFD12_3456_789A_0000)
        XCTAssertEqual(prefix.network.low, 0)
        XCTAssertEqual(prefix.description, "fd12:3456:789a::/48")
        XCTAssertTrue(prefix.network.isUniqueLocal)
    }

    /// Only the low 40 bits count: the 8 bits of `fd` and the 16 of the subnet ID stay clear.
    func testPrefixUsesFortyBits() {
        XCTAssertEqual(UniqueLocalChooser.prefix(globalID: 0xFFFF_FF12_3456_789A), UniqueLocalChooser.prefix(globalID: globalID))
        XCTAssertEqual(UniqueLocalChooser.prefix(globalID: 0).description, "fd00::/48")
        XCTAssertEqual(UniqueLocalChooser.prefix(globalID: 0xFF_FFFF_FFFF).description, "fdff:ffff:ffff::/48")
        XCTAssertEqual(UniqueLocalChooser.prefix(globalID: 1).description, "fd00:0:1::/48")
        XCTAssertEqual(UniqueLocalChooser.prefix(globalID: 0x80_0000_0000).description, "fd80::/48")
    }

    /// Subnet ID 0 is left out: the first choice is the prefix's subnet 1.
    func testFirstChoiceIsSubnetOne() {
        XCTAssertEqual(UniqueLocalChooser.choose(globalID: globalID, avoiding: [])?.description, "fd12:3456:789a:1::/64")
        XCTAssertEqual(UniqueLocalChooser.choose(globalID: globalID, avoiding: [subnet("fd12:3456:789a::/64")])?.description,
                       "fd12:3456:789a:1::/64")
    }

    func testAvoidedPrefixesAreSkipped() {
        let avoided = [subnet("fd12:3456:789a:1::/64"), subnet("fd12:3456:789a:2::/64"), subnet("fd12:3456:789a:4::/64")]
        XCTAssertEqual(UniqueLocalChooser.choose(globalID: globalID, avoiding: avoided)?.description, "fd12:3456:789a:3::/64")
        // A host address (a /128) inside a candidate takes the whole /64.
        XCTAssertEqual(UniqueLocalChooser.choose(globalID: globalID, avoiding: [subnet("fd12:3456:789a:1::5/128")])?.description,
                       "fd12:3456:789a:2::/64")
        // Other prefixes do not matter.
        XCTAssertEqual(UniqueLocalChooser.choose(globalID: globalID, avoiding: [subnet("fd12:3456:789b::/48"), subnet("2001:db8::/32")])?
                        .description, "fd12:3456:789a:1::/64")
    }

    /// A /56 covers subnet IDs 0x00–0xff.
    func testWiderAvoidedPrefixSkipsEverySubnetInIt() {
        XCTAssertEqual(UniqueLocalChooser.choose(globalID: globalID, avoiding: [subnet("fd12:3456:789a::/56")])?.description,
                       "fd12:3456:789a:100::/64")
        XCTAssertEqual(UniqueLocalChooser.choose(globalID: globalID, avoiding: [subnet("fd12:3456:789a::/56"), subnet("fd12:3456:789a:100::/60")])?
                        .description, "fd12:3456:789a:110::/64")
    }

    func testNilWhenEverythingIsTaken() {
        XCTAssertNil(UniqueLocalChooser.choose(globalID: globalID, avoiding: [subnet("fd12:3456:789a::/48")]))
        XCTAssertNil(UniqueLocalChooser.choose(globalID: globalID, avoiding: [subnet("fd00::/8")]))
        // Everything but subnet 0 (a /49, a /50, … a /64 of subnet 1): subnet 0 is never chosen.
        let allButZero = (49...64).map { length in
            IPv6Subnet(address: IPv6Address(high: 0xFD12_3456_789A_0000 | UInt64(1) << UInt64(64 - length), low: 0),
                       prefixLength: length)
        }
        XCTAssertEqual(allButZero.last?.description, "fd12:3456:789a:1::/64")
        XCTAssertNil(UniqueLocalChooser.choose(globalID: globalID, avoiding: allButZero))
        XCTAssertEqual(UniqueLocalChooser.choose(globalID: globalID, avoiding: Array(allButZero.dropFirst()))?.description,
                       "fd12:3456:789a:8000::/64", "and the /49 was the only one left")
    }
}
