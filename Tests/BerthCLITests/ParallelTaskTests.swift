@testable import BerthEngine
import Glibc
import XCTest

/// The second thread connect uses: the work runs elsewhere, and join hands back its value or error.
final class ParallelTaskTests: XCTestCase {
    struct Failure: Error, Equatable { let code: Int }

    func testRunsOnAnotherThreadAndReturnsItsValue() throws {
        let caller = pthread_self()
        let task = ParallelTask { () -> pthread_t in pthread_self() }
        let worker = try task.join()
        XCTAssertEqual(pthread_equal(worker, caller), 0, "ran on another thread")
        XCTAssertEqual(try task.join(), worker, "joining twice gives the same value")
    }

    func testRethrowsTheWorkersError() {
        let task = ParallelTask { () -> Int in throw Failure(code: 7) }
        XCTAssertThrowsError(try task.join()) { XCTAssertEqual($0 as? Failure, Failure(code: 7)) }
    }

    /// The gate the attach's store thread waits at: it sees the decision made later on this
    /// thread, whichever it is, and only the first decision counts.
    func testGateHandsTheDecisionToTheWaitingThread() throws {
        for decision in [true, false] {
            let gate = Gate()
            let started = Gate()
            let task = ParallelTask { () -> Bool in
                started.open(true)
                return gate.wait()
            }
            XCTAssertTrue(started.wait(), "the worker is on its way to the gate")
            gate.open(decision)
            gate.open(!decision)
            XCTAssertEqual(try task.join(), decision)
            XCTAssertEqual(gate.wait(), decision, "a decided gate answers at once")
        }
    }
}
