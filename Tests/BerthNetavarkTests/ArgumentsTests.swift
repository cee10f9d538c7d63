import XCTest
@testable import BerthNetavark

final class ArgumentsTests: XCTestCase {
    private func words(_ line: String) -> [String] { line.split(separator: " ").dropFirst().map(String.init) }

    func testPodmansInvocation() throws {
        let a = try Arguments(parsing: words(Samples.setupWebArgv))
        XCTAssertEqual(a.config, "/run/containers/networks")
        XCTAssertFalse(a.rootless)
        XCTAssertEqual(a.aardvarkBinary, "/usr/lib/podman/aardvark-dns")
        XCTAssertNil(a.file)
        XCTAssertEqual(a.command, .setup(namespace: "/run/netns/netns-8e7736dd-591a-71ee-19e0-10654abc44a6"))
        XCTAssertEqual(try Arguments(parsing: words(Samples.teardownWebArgv)).command,
                       .teardown(namespace: "/run/netns/netns-8e7736dd-591a-71ee-19e0-10654abc44a6"))
    }

    func testSeparateValuesAndShortOptions() throws {
        let a = try Arguments(parsing: ["-f", "/tmp/opts.json", "--rootless", "false", "-a", "/bin/aardvark",
                                        "--config", "/etc/nets", "teardown", "/proc/1/ns/net"])
        XCTAssertEqual(a.file, "/tmp/opts.json")
        XCTAssertEqual(a.aardvarkBinary, "/bin/aardvark")
        XCTAssertEqual(a.config, "/etc/nets")
        XCTAssertEqual(a.command, .teardown(namespace: "/proc/1/ns/net"))
        let b = try Arguments(parsing: ["--file=/x", "-a=/y", "--config=/z", "setup", "/n"])
        XCTAssertEqual(b.file, "/x")
        XCTAssertEqual(b.aardvarkBinary, "/y")
        XCTAssertEqual(b.config, "/z")
        // netavark 1.4's own short forms of --config and --rootless
        let c = try Arguments(parsing: ["-c", "/etc/nets", "-r", "true", "setup", "/n"])
        XCTAssertEqual(c.config, "/etc/nets")
        XCTAssertEqual(c.rootless, true)
    }

    func testRootless() throws {
        XCTAssertTrue(try Arguments(parsing: ["--rootless=true", "setup", "/n"]).rootless)
        XCTAssertThrowsError(try Arguments(parsing: ["--rootless=maybe", "setup", "/n"]))
    }

    func testVersions() throws {
        XCTAssertEqual(try Arguments(parsing: ["version"]).command, .version)
        XCTAssertEqual(try Arguments(parsing: ["--version"]).command, .versionLine)
        XCTAssertEqual(try Arguments(parsing: ["--config", "/d", "--version"]).command, .versionLine)
        XCTAssertThrowsError(try Arguments(parsing: ["version", "extra"]))
    }

    func testUpdate() throws {
        XCTAssertEqual(try Arguments(parsing: ["update", "net1", "--network-dns-servers", "8.8.8.8,1.1.1.1"]).command,
                       .update(network: "net1", dnsServers: ["8.8.8.8", "1.1.1.1"]))
        XCTAssertEqual(try Arguments(parsing: ["update", "net1", "--network-dns-servers", "8.8.8.8", "::1"]).command,
                       .update(network: "net1", dnsServers: ["8.8.8.8", "::1"]))
        XCTAssertEqual(try Arguments(parsing: ["update", "net1", "--network-dns-servers=9.9.9.9"]).command,
                       .update(network: "net1", dnsServers: ["9.9.9.9"]))
        XCTAssertEqual(try Arguments(parsing: ["--config", "/d", "update", "net1", "--network-dns-servers", ""]).command,
                       .update(network: "net1", dnsServers: []))
        XCTAssertEqual(try Arguments(parsing: ["update", "net1", "--network-dns-servers"]).command,
                       .update(network: "net1", dnsServers: []))
        XCTAssertThrowsError(try Arguments(parsing: ["update", "net1"]))
        XCTAssertThrowsError(try Arguments(parsing: ["update", "--network-dns-servers", "1.1.1.1"]))
    }

    func testBadCommandLines() {
        for line in [[], ["setup"], ["setup", "/a", "/b"], ["--config"], ["--bogus", "setup", "/n"], ["frobnicate"],
                     ["teardown", "--x"]] {
            XCTAssertThrowsError(try Arguments(parsing: line), "\(line)") { error in
                XCTAssertTrue(error is NetavarkError, "\(line): \(error)")
            }
        }
    }
}
