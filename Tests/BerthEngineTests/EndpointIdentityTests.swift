@testable import BerthEngine
import BerthAddress
import XCTest

/// The names and MACs a connect fixes before the kernel and the store start on it.
final class EndpointIdentityTests: XCTestCase {
    func testHostMACIsLocalUnicastAndDiffersFromTheContainers() {
        for _ in 0..<100 {
            let identity = EndpointIdentity(mac: nil)
            XCTAssertEqual(identity.hostIfname, "bv" + String(identity.id.prefix(12)))
            XCTAssertEqual(identity.hostMAC, EndpointIdentity.hostMAC(ofEndpoint: identity.id), "reproducible from the id")
            XCTAssertNotEqual(identity.hostMAC, identity.mac)
            for mac in [identity.hostMAC, identity.mac] {
                XCTAssertEqual(mac.bytes[0] & 0x03, 0x02, "locally administered unicast: \(mac)")
            }
        }
    }

    func testRequestedContainerMACIsKept() throws {
        let wanted = try XCTUnwrap(MACAddress("02:42:ac:11:00:02"))
        XCTAssertEqual(EndpointIdentity(mac: wanted).mac, wanted)
    }
}
