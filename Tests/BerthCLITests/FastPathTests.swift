import BerthAddress
@testable import BerthCLI
import XCTest

/// The hot-path parser must accept exactly what it can run, and hand everything else (help,
/// unknown options, malformed values) to swift-argument-parser, which owns the error messages.
final class FastPathTests: XCTestCase {
    func testConnectWithEveryOption() throws {
        let parsed = FastPath.parse(["network", "connect", "web", "1234", "--ifname=eth1", "--ip", "10.0.0.5",
                                     "--ip6", "2001:db8::5", "--mac", "02:00:00:00:00:05", "--name", "api", "--state-dir", "/tmp/s"])
        guard case .connect(let network, let target, let ifname, let ip, let ip6, let mac, let name, _, let stateDirectory)? = parsed else {
            return XCTFail("not parsed: \(String(describing: parsed))")
        }
        XCTAssertEqual(network, "web")
        XCTAssertEqual(target, "1234")
        XCTAssertEqual(ifname, "eth1")
        XCTAssertEqual(ip, IPv4Address("10.0.0.5"))
        XCTAssertEqual(ip6, IPv6Address("2001:db8::5"))
        XCTAssertEqual(mac, MACAddress("02:00:00:00:00:05"))
        XCTAssertEqual(name, "api")
        XCTAssertEqual(stateDirectory, "/tmp/s")
    }

    func testDisconnectDefaults() {
        guard case .disconnect(let network, let target, let ifname, let stateDirectory)? =
                FastPath.parse(["network", "disconnect", "web", "ns1"]) else {
            return XCTFail("not parsed")
        }
        XCTAssertEqual([network, target, ifname], ["web", "ns1", "eth0"])
        XCTAssertNil(stateDirectory)
    }

    func testAnythingUnusualFallsBack() {
        for args in [
            ["network", "connect", "web"],                                   // missing TARGET
            ["network", "connect", "web", "1", "2"],                         // extra positional
            ["network", "connect", "web", "1", "--help"],
            ["network", "connect", "web", "1", "-h"],
            ["network", "connect", "web", "1", "--bogus", "x"],
            ["network", "connect", "web", "1", "--ip", "10.0.0.300"],
            ["network", "connect", "web", "1", "--mac", "zz"],
            ["network", "connect", "web", "1", "--ip", "10.0.0.1", "--ip", "10.0.0.2"],
            ["network", "connect", "web", "1", "--ifname"],
            ["network", "disconnect", "web", "1", "--name", "x"],
            ["network", "ls"],
            ["run", "--", "true"],
        ] {
            XCTAssertNil(FastPath.parse(args), "\(args)")
        }
    }
}
