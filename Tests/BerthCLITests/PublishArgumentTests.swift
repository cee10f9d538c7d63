import XCTest
import BerthAddress
@testable import BerthCLI

final class PublishArgumentTests: XCTestCase {
    func testAccepted() throws {
        XCTAssertEqual(try PublishArgument.parse("8080:80"), PortMapping(hostPort: 8080, containerPort: 80))
        XCTAssertEqual(try PublishArgument.parse("53:5353/udp"), PortMapping(hostPort: 53, containerPort: 5353, proto: .udp))
        XCTAssertEqual(try PublishArgument.parse("203.0.113.2:8080:80/tcp"),
                       PortMapping(hostIP: .v4(IPv4Address("203.0.113.2")!), hostPort: 8080, containerPort: 80))
        // 0.0.0.0 is every IPv4 address, [::] every IPv6 one; no address is both families.
        XCTAssertEqual(try PublishArgument.parse("0.0.0.0:8080:80"), PortMapping(hostIP: .v4(IPv4Address(0)), hostPort: 8080, containerPort: 80))
        XCTAssertEqual(try PublishArgument.parse("[::]:8080:80"), PortMapping(hostIP: .v6(.unspecified), hostPort: 8080, containerPort: 80))
        XCTAssertEqual(try PublishArgument.parse("[2001:db8::5]:8443:443/udp"),
                       PortMapping(hostIP: .v6(IPv6Address("2001:db8::5")!), hostPort: 8443, containerPort: 443, proto: .udp))
        XCTAssertEqual(try PublishArgument.parse("[2001:db8::5]:8443:443").description, "[2001:db8::5]:8443:443/tcp")
        XCTAssertEqual(try PublishArgument.parse("9000-9002:7000-7002"), PortMapping(hostPort: 9000, containerPort: 7000, count: 3))
        XCTAssertEqual(try PublishArgument.parse("65535:1"), PortMapping(hostPort: 65535, containerPort: 1))
    }

    func testRefused() {
        for bad in ["", "80", "0:80", "80:0", "65536:80", "8080-8081:80", "8080:80-81", "9-8:1-2", "1.2.3:80:80",
                    "8080:80/sctp", "8080:80/", "a:b", "1:2:3:4", "+80:80", "080000:80", "::80", "8080::80",
                    "2001:db8::5:8080:80", "[2001:db8::5]8080:80", "[2001:db8::5:8080:80", "[192.0.2.1]:80:80",
                    "[2001:db8::5]:1:2:3", "[]:80:80", "[fe80::1%eth0]:80:80"] {
            XCTAssertThrowsError(try PublishArgument.parse(bad), bad)
        }
    }

    func testFastPathAcceptsTheSameSpellings() {
        let args = ["network", "connect", "web", "c1", "-p", "8080:80", "--publish=9000-9001:7000-7001/udp",
                    "--publish", "203.0.113.2:1:2"]
        guard case .connect(_, _, _, _, _, _, _, let publish, _)? = FastPath.parse(args) else {
            return XCTFail("fast path declined")
        }
        XCTAssertEqual(publish.map(\.description), ["8080:80/tcp", "9000-9001:7000-7001/udp", "203.0.113.2:1:2/tcp"])
        // anything else falls back to swift-argument-parser
        XCTAssertNil(FastPath.parse(["network", "connect", "web", "c1", "-p8080:80"]))
        XCTAssertNil(FastPath.parse(["network", "connect", "web", "c1", "-p", "bad"]))
        XCTAssertNil(FastPath.parse(["network", "connect", "web", "c1", "-p"]))
        XCTAssertNil(FastPath.parse(["network", "disconnect", "web", "c1", "-p", "8080:80"]))
    }
}
