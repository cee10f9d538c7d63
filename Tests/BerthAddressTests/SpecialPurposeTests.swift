import BerthAddress
import XCTest

/// Subnets no container network can live in are named; ordinary ones are not.
final class SpecialPurposeTests: XCTestCase {
    func testSpecialPurposeBlocksAreNamed() throws {
        let cases = [
            "127.5.0.0/24": "loopback", "0.1.0.0/24": "'this network'", "224.0.0.0/24": "multicast",
            "239.255.0.0/16": "multicast", "240.0.0.0/24": "reserved", "255.255.255.0/24": "reserved",
            "0.0.0.0/0": "'this network'", "96.0.0.0/3": "loopback",
        ]
        for (text, name) in cases {
            let block = try XCTUnwrap(XCTUnwrap(IPv4Subnet(text)).specialPurposeBlock, text)
            XCTAssertTrue(block.hasPrefix(name), "\(text): \(block)")
        }
    }

    func testOrdinarySubnetsAreNot() throws {
        for text in ["10.0.0.0/8", "172.17.0.0/16", "192.168.1.0/24", "126.255.255.0/24", "128.0.0.0/24",
                     "223.255.255.0/24", "1.0.0.0/24", "100.64.0.0/10"] {
            XCTAssertNil(try XCTUnwrap(IPv4Subnet(text)).specialPurposeBlock, text)
        }
    }
}
