import BerthAddress
import Foundation
import Glibc
import XCTest
@testable import BerthFirewall

/// Every shape of rendered script passes `nft -c` (check mode: the kernel validates the batch
/// and nothing changes). Needs root and the nft tool; skipped otherwise, as unit tests need no root.
final class NftCheckTests: XCTestCase {
    private func nftCheck(_ script: String, file: StaticString = #filePath, line: UInt = #line) throws {
        guard geteuid() == 0 else { throw XCTSkip("nft -c needs root") }
        let candidates: [String] = ["/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"]
        guard let nft = candidates.first(where: { access($0, X_OK) == 0 }) else {
            throw XCTSkip("no nft tool")
        }
        let path = NSTemporaryDirectory() + "berth-nft-check-\(getpid()).nft"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        defer { unlink(path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: nft)
        process.arguments = ["-c", "-f", path]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "nft -c rejected the script:\n\(message)\n\(script)", file: file, line: line)
    }

    func testTheKernelAcceptsEveryShape() throws {
        let v4 = FirewallNetwork(id: "aaaa", bridge: "berth0", subnet: IPv4Subnet("172.17.0.0/24")!,
                                 masquerade: true, isInternal: false, icc: false)
        let inner4 = FirewallNetwork(id: "cccc", bridge: "berthi", subnet: IPv4Subnet("10.9.0.0/24")!,
                                     masquerade: false, isInternal: true)
        let dual = FirewallNetwork(id: "dddd", bridge: "berthd", subnet: IPv4Subnet("172.19.0.0/24")!,
                                   subnet6: IPv6Subnet("fd00:6::/64")!, masquerade: true, isInternal: false)
        let routed = FirewallNetwork(id: "eeee", bridge: "berth6", subnet: nil, subnet6: IPv6Subnet("2001:db8:6::/64")!,
                                     masquerade: false, masquerade6: false, isInternal: false, isolated: false)
        let quiet = FirewallNetwork(id: "ffff", bridge: "berthq6", subnet: IPv4Subnet("172.20.0.0/24")!,
                                    subnet6: IPv6Subnet("fd00:20::/64")!, masquerade: true, isInternal: false,
                                    icc: false, isolated: false)
        let inner6 = FirewallNetwork(id: "abab", bridge: "berthi6", subnet: nil, subnet6: IPv6Subnet("fd00:99::/64")!,
                                     masquerade: false, isInternal: true, icc: false)
        let ports = [
            PortElement(hostIP: nil, proto: .tcp, hostPort: 8080, containerIP: IPAddress("172.19.0.2")!, containerPort: 80),
            PortElement(hostIP: IPAddress("192.0.2.1")!, proto: .udp, hostPort: 53, containerIP: IPAddress("172.19.0.3")!, containerPort: 53),
            PortElement(hostIP: nil, proto: .tcp, hostPort: 8080, containerIP: IPAddress("fd00:6::2")!, containerPort: 80),
            PortElement(hostIP: IPAddress("2001:db8::1")!, proto: .udp, hostPort: 53, containerIP: IPAddress("fd00:6::3")!, containerPort: 5353),
        ]
        let all = [v4, inner4, dual, routed, quiet, inner6]
        try nftCheck(Ruleset.script(for: []))
        try nftCheck(Ruleset.script(for: [v4, inner4], ports: Array(ports.prefix(2))))
        try nftCheck(Ruleset.script(for: all, ports: ports))
        try nftCheck(Ruleset.script(for: [routed]))
        try nftCheck(Ruleset.script(for: [inner6]))
        // Element batches, against a table made in the same (checked) batch.
        try nftCheck(Ruleset.script(for: all) + Ruleset.publish(ports))
        try nftCheck(Ruleset.script(for: all, ports: ports) + Ruleset.unpublish(ports))
    }
}
