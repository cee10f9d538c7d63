@testable import BerthEngine
import BerthAddress
import XCTest

/// Two mappings of one request that claim the same host port are refused before the store
/// could report the request as clashing with itself.
final class PortOverlapTests: XCTestCase {
    private func mapping(_ text: String) throws -> PortMapping {
        let (ip, rest): (IPAddress?, String) = text.contains("@")
            ? (IPAddress(String(text.split(separator: "@")[0])), String(text.split(separator: "@")[1]))
            : (nil, text)
        let parts = rest.split(separator: "/")
        let ports = parts[0].split(separator: "+").map { UInt16($0)! }
        return PortMapping(hostIP: ip, hostPort: ports[0], containerPort: 80, count: ports.count > 1 ? ports[1] : 1,
                           proto: parts.count > 1 ? TransportProtocol(rawValue: String(parts[1]))! : .tcp)
    }

    private func check(_ texts: [String]) throws -> String? {
        do {
            try Engine.checkNoOverlap(try texts.map(mapping))
            return nil
        } catch {
            return "\(error)"
        }
    }

    func testClashesAreFound() throws {
        // PORT[+COUNT][/PROTO], optionally IP@ in front.
        for clash in [["8080", "8080"], ["8080+2", "8081"], ["8081", "9000", "8080+5"], ["8080", "1.2.3.4@8080"],
                      ["0.0.0.0@8080", "1.2.3.4@8080"], ["1.2.3.4@8080+10", "1.2.3.4@8089"], ["53/udp", "53/udp"]] {
            let message = try XCTUnwrap(try check(clash), "\(clash)")
            XCTAssertTrue(message.contains("published twice in this request"), message)
        }
    }

    func testDistinctMappingsPass() throws {
        for fine in [["8080"], ["8080", "8081"], ["8080+2", "8082"], ["53/tcp", "53/udp"],
                     ["1.2.3.4@8080", "5.6.7.8@8080"], ["8080", "9090", "8081+5"]] {
            XCTAssertNil(try check(fine), "\(fine)")
        }
    }
}
