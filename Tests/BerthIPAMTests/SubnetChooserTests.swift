import XCTest
import BerthAddress
import BerthIPAM

final class SubnetChooserTests: XCTestCase {
    private func subnet(_ text: String) -> IPv4Subnet { IPv4Subnet(text)! }
    /// Pools built directly, not through ``AddressPool/parseList(_:)``: these tests are about the
    /// chooser's arithmetic at the edges of the address space, where the list parser (policy)
    /// refuses special-purpose blocks.
    private func pools(_ text: String) -> [AddressPool] {
        text.split(separator: ",").map { entry in
            let parts = entry.split(separator: ":")
            return AddressPool(base: IPv4Subnet(parts[0])!, size: Int(parts[1])!)!
        }
    }

    func testFirstCandidateWhenNothingIsAvoided() {
        XCTAssertEqual(SubnetChooser.choose(pools: AddressPool.defaults, avoiding: [], nameservers: []),
                       subnet("172.17.0.0/24"))
    }

    func testSkipsAvoidedSubnetsInOrder() {
        let chosen = SubnetChooser.choose(pools: AddressPool.defaults,
                                          avoiding: [subnet("172.17.0.0/24"), subnet("172.17.1.0/24")],
                                          nameservers: [])
        XCTAssertEqual(chosen, subnet("172.17.2.0/24"))
    }

    func testSmallAvoidedBlockInsideCandidate() {
        // A host route /28 inside the first /24 rules out the whole /24.
        let chosen = SubnetChooser.choose(pools: pools("10.0.0.0/8:24"), avoiding: [subnet("10.0.0.16/28")],
                                          nameservers: [])
        XCTAssertEqual(chosen, subnet("10.0.1.0/24"))
        // An avoided /24 inside a candidate /16 rules out the /16.
        XCTAssertEqual(SubnetChooser.choose(pools: pools("10.0.0.0/8:16"), avoiding: [subnet("10.0.5.0/24")],
                                            nameservers: []), subnet("10.1.0.0/16"))
    }

    func testLargeAvoidedBlockFallsThroughToNextPool() {
        // 172.16.0.0/12 covers every 172.17–31 default pool.
        let chosen = SubnetChooser.choose(pools: AddressPool.defaults, avoiding: [subnet("172.16.0.0/12")],
                                          nameservers: [])
        XCTAssertEqual(chosen, subnet("192.168.0.0/24"))
    }

    func testSkipsSubnetsContainingNameservers() {
        let chosen = SubnetChooser.choose(pools: AddressPool.defaults, avoiding: [],
                                          nameservers: [IPv4Address("172.17.0.53")!, IPv4Address("8.8.8.8")!])
        XCTAssertEqual(chosen, subnet("172.17.1.0/24"))
    }

    func testJumpsPastHugeAvoidedRanges() {
        // Stepping /30 by /30 through 0.0.0.0/1 and 128.0.0.0/2 would take ~800 million steps;
        // jumping takes a handful.
        let start = ContinuousClock.now
        let chosen = SubnetChooser.choose(pools: pools("0.0.0.0/0:30"),
                                          avoiding: [subnet("0.0.0.0/1"), subnet("128.0.0.0/2"), subnet("192.0.0.0/3")],
                                          nameservers: [])
        XCTAssertEqual(chosen, subnet("224.0.0.0/30"))
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(1))

        // Many avoided entries, each a whole /8 of the pool.
        let avoided = (0..<255).map { IPv4Subnet(address: IPv4Address(UInt8($0), 0, 0, 0), prefixLength: 8) }
        XCTAssertEqual(SubnetChooser.choose(pools: pools("0.0.0.0/0:24"), avoiding: avoided, nameservers: []),
                       subnet("255.0.0.0/24"))
    }

    func testUnalignedAvoidedBlockJumpsToNextAlignedCandidate() {
        // Avoided /23 covers two /24 candidates.
        XCTAssertEqual(SubnetChooser.choose(pools: pools("10.0.0.0/16:24"), avoiding: [subnet("10.0.0.0/23")],
                                            nameservers: []), subnet("10.0.2.0/24"))
    }

    func testExhaustedPoolsReturnNil() {
        XCTAssertNil(SubnetChooser.choose(pools: pools("10.0.0.0/16:24"), avoiding: [subnet("10.0.0.0/8")],
                                          nameservers: []))
        // The top of the address space must not overflow.
        XCTAssertNil(SubnetChooser.choose(pools: pools("255.255.255.0/24:30"),
                                          avoiding: [subnet("255.255.255.0/24")], nameservers: []))
        XCTAssertEqual(SubnetChooser.choose(pools: pools("255.255.255.0/24:30"),
                                            avoiding: [subnet("255.255.255.0/25"), subnet("255.255.255.128/26"),
                                                       subnet("255.255.255.192/27"), subnet("255.255.255.224/28"),
                                                       subnet("255.255.255.240/29"), subnet("255.255.255.248/30")],
                                            nameservers: []), subnet("255.255.255.252/30"))
        XCTAssertNil(SubnetChooser.choose(pools: [], avoiding: [], nameservers: []))
    }

    func testPoolOrderIsRespected() {
        let chosen = SubnetChooser.choose(pools: pools("192.168.0.0/16:24,10.0.0.0/8:24"), avoiding: [],
                                          nameservers: [])
        XCTAssertEqual(chosen, subnet("192.168.0.0/24"))
    }
}
