import XCTest
@testable import BerthEtcd

final class EtcdPlaceholderTests: XCTestCase {
    func testModuleLoads() { XCTAssertNotNil(BerthEtcd.self) }
}
