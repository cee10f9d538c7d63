import BerthAddress
import BerthDNSCore
import BerthDNSWire
import XCTest

/// Who may ask, and what each client sees: its container's DNS networks only.
final class VisibilityTests: XCTestCase {
    func testNamesOfOtherNetworksAreNotVisible() throws {
        for name in ["db", "database", "db.backend", "secret", "secret.other", "vault"] {
            XCTAssertTrue(Fixture.isForwarded(name), "\(name) is not the client's to see: forwarded")
        }
        let (shared, _) = try Fixture.ask("db.berth.internal")
        XCTAssertEqual(shared.rcode, .nameError, "backend shares the domain, but is not visible")
    }

    func testMultiHomedContainerSeesBothNetworks() throws {
        for (listener, source) in [("frontend", "10.88.0.4"), ("backend", "10.89.0.4")] {
            for (name, address) in [("db", "10.89.0.3"), ("database.backend", "10.89.0.3"),
                                    ("db.berth.internal", "10.89.0.3"), ("web", "10.88.0.2"), ("www.frontend", "10.88.0.2")] {
                let (message, outcome) = try Fixture.ask(name, from: source, on: listener)
                XCTAssertEqual(outcome, .local, "\(name) via \(listener)")
                XCTAssertEqual(Fixture.addresses(message), [address], "\(name) via \(listener)")
            }
            let (own, _) = try Fixture.ask("api", from: source, on: listener)
            XCTAssertEqual(Set(Fixture.addresses(own)), ["10.88.0.4", "10.89.0.4"], "api on both of its networks")
            let (qualified, _) = try Fixture.ask("api.backend", from: source, on: listener)
            XCTAssertEqual(Fixture.addresses(qualified), ["10.89.0.4"])
        }
        let (fromClient, _) = try Fixture.ask("api")
        XCTAssertEqual(Fixture.addresses(fromClient), ["10.88.0.4"], "the client sees frontend only")
    }

    func testClientMustBeAnEndpointOfTheListenersNetwork() throws {
        for (source, listener) in [("10.88.0.99", "frontend"), ("10.89.0.3", "frontend"), ("127.0.0.1", "frontend"),
                                   ("10.88.0.10", "backend"), ("10.88.0.10", "nosuch"), ("fd00:88::99", "frontend")] {
            let (message, outcome) = try Fixture.ask("web", from: source, on: listener)
            XCTAssertEqual(outcome, .refused, "\(source) on \(listener)")
            XCTAssertEqual(message.rcode, .refused)
            XCTAssertEqual(message.answers, [])
        }
        let (six, outcome) = try Fixture.ask("web", from: "fd00:88::10", on: "frontend")
        XCTAssertEqual(outcome, .local, "the client's IPv6 address is the client too")
        XCTAssertEqual(Fixture.addresses(six), ["10.88.0.2"])
    }
}
