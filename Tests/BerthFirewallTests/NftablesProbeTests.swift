import BerthNetlink
import XCTest
@testable import BerthFirewall

final class NftablesProbeTests: XCTestCase {
    /// A NEWRULE message as the kernel dumps it: nfgenmsg, then table, chain, handle (big-endian
    /// u64) and the user data nft and iptables-nft both use for comments.
    private func rule(handle: UInt64, userData: [UInt8]?) -> NetlinkMessage {
        var r = NetlinkRequest(type: 10 << 8 | 6, flags: 0)
        r.appendPadded([2, 0, 0, 0])
        r.attribute(1, string: "filter")
        r.attribute(2, string: "DOCKER-USER")
        r.attribute(3, (0..<8).map { UInt8(truncatingIfNeeded: handle >> (56 - 8 * UInt64($0))) })
        if let userData { r.attribute(7, userData) }
        return NetlinkMessage.parse(r.finalized(sequence: 1))[0]
    }

    func testFindsTheHandleOfACommentedRule() {
        let data: [UInt8] = [0, 13] + Array("berth-vetted".utf8) + [0]
        XCTAssertEqual(NftablesProbe.handle(ofRule: rule(handle: 0x1_0000_0005, userData: data), commented: "berth-vetted"),
                       0x1_0000_0005)
    }

    func testIgnoresOtherCommentsAndUncommentedRules() {
        let other: [UInt8] = [0, 6] + Array("berth".utf8) + [0]
        XCTAssertNil(NftablesProbe.handle(ofRule: rule(handle: 5, userData: other), commented: "berth-vetted"))
        XCTAssertNil(NftablesProbe.handle(ofRule: rule(handle: 5, userData: nil), commented: "berth-vetted"))
    }

    func testCommentAfterAnotherUserDataItemAndTruncatedData() {
        // A different TLV first (type 1: ebtables' policy), then the comment.
        XCTAssertEqual(NftablesProbe.userDataComment([1, 2, 9, 9, 0, 4, 0x61, 0x62, 0x63, 0][...]), "abc")
        XCTAssertNil(NftablesProbe.userDataComment([0, 40, 0x61][...]), "a length past the end is not a comment")
    }
}
