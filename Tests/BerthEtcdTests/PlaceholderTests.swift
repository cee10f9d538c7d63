import XCTest
import BerthEtcd

final class EtcdPlaceholderTests: XCTestCase {
    func testModuleLoads() { XCTAssertNotNil(EtcdError.timeout) }
}
