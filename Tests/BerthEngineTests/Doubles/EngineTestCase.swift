@testable import BerthEngine
import XCTest

/// A test case with a fresh ``EngineHarness`` per test, removed with its directories after it.
class EngineTestCase: XCTestCase {
    private(set) var harness: EngineHarness!

    override func setUp() {
        super.setUp()
        harness = EngineHarness()
    }

    override func tearDown() {
        harness?.remove()   // nil when a test was skipped before setUp
        super.tearDown()
    }
}

/// An engine test of networks with IPv6, skipped where the kernel has none (where every such
/// create is refused up front).
class IPv6EngineTestCase: EngineTestCase {
    override func setUpWithError() throws {
        try super.setUpWithError()
        try XCTSkipUnless(IPv6.available, "IPv6 is disabled in this kernel")
    }
}

/// Which ``BerthError`` a refusal must be.
enum Refusal: Equatable {
    case invalidArgument, notFound, conflict, alreadyAttached, configuration, permissionDenied, other

    init(_ error: any Error) {
        switch error as? BerthError {
        case .invalidArgument?: self = .invalidArgument
        case .notFound?: self = .notFound
        case .conflict?: self = .conflict
        case .alreadyAttached?: self = .alreadyAttached
        case .configuration?: self = .configuration
        case .permissionDenied?: self = .permissionDenied
        default: self = .other
        }
    }
}

/// Fails unless `body` throws a ``BerthError`` of `kind` whose message mentions `text`.
func assertRefused<T>(_ kind: Refusal, mentioning text: String = "", _ context: String = "",
                      file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> T) {
    do {
        let value = try body()
        XCTFail("\(context) succeeded: \(value)", file: file, line: line)
    } catch {
        XCTAssertEqual(Refusal(error), kind, "\(context) \(error)", file: file, line: line)
        if !text.isEmpty { XCTAssertTrue("\(error)".contains(text), "\(context) \(error)", file: file, line: line) }
    }
}
