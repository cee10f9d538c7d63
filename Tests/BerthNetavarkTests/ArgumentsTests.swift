import XCTest
@testable import BerthNetavark

final class ArgumentsTests: XCTestCase {
    func testPodmansInvocation() throws {
        let a = try Arguments(parsing: ["--config", "/run/containers/networks", "--rootless=false",
                                        "--aardvark-binary=/usr/lib/podman/aardvark-dns", "setup", "/run/netns/netns-1"])
        XCTAssertEqual(a.config, "/run/containers/networks")
        XCTAssertFalse(a.rootless)
        XCTAssertEqual(a.aardvarkBinary, "/usr/lib/podman/aardvark-dns")
        XCTAssertNil(a.file)
        XCTAssertEqual(a.command, .setup(namespace: "/run/netns/netns-1"))
    }
}
