import XCTest
@testable import BerthAgent

final class AgentPlaceholderTests: XCTestCase {
    func testModuleLoads() { XCTAssertNotNil(BerthAgentMain.self) }
}
