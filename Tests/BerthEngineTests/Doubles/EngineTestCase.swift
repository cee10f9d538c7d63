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
        harness.remove()
        super.tearDown()
    }
}

/// Which ``BerthError`` a refusal must be.
enum Refusal: Equatable {
    case invalidArgument, notFound, conflict, alreadyAttached, permissionDenied, other

    init(_ error: any Error) {
        switch error as? BerthError {
        case .invalidArgument?: self = .invalidArgument
        case .notFound?: self = .notFound
        case .conflict?: self = .conflict
        case .alreadyAttached?: self = .alreadyAttached
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
