@testable import BerthEngine
import CBerthShim
import Dispatch
import Glibc
import Synchronization
import XCTest

/// The second thread an attach runs its store half on: the work runs elsewhere, at the same
/// time as the caller, and join hands back its value (or its error) and whatever it was given.
final class SecondThreadTests: XCTestCase {
    struct Failure: Error, Equatable { let code: Int }

    func testRunsOnAnotherThreadAndReturnsItsValue() throws {
        let worker = try SecondThread { () -> pthread_t in pthread_self() }.join()
        XCTAssertEqual(pthread_equal(worker, pthread_self()), 0, "ran on another thread")
    }

    func testRethrowsTheWorkersError() {
        let thread = SecondThread { () -> Int in throw Failure(code: 7) }
        do {
            let value = try thread.join()
            XCTFail("returned \(value)")
        } catch {
            XCTAssertEqual(error as? Failure, Failure(code: 7))
        }
    }

    /// The caller goes on while the work runs: the worker waits for the caller's signal, which
    /// it can only get if the two run at once.
    func testRunsWhileTheCallerGoesOn() throws {
        let started = DispatchSemaphore(value: 0)
        let go = DispatchSemaphore(value: 0)
        let thread = SecondThread { () -> Bool in
            started.signal()
            return go.wait(timeout: .now() + 10) == .success
        }
        XCTAssertEqual(started.wait(timeout: .now() + 10), .success, "the worker started before join")
        go.signal()
        let signalled = try thread.join()
        XCTAssertTrue(signalled, "the worker got the signal given after it started")
    }

    /// A non-Sendable input is moved to the thread and comes back with the result, changed
    /// there.
    func testMovesANonSendableInput() throws {
        let box = Box(values: [1, 2, 3])
        let identity = ObjectIdentifier(box)
        let back = try SecondThread(moving: box) { box -> Box in
            box.values.append(4)
            box.thread = pthread_self()
            return box
        }.join()
        XCTAssertEqual(ObjectIdentifier(back), identity, "the same object")
        XCTAssertEqual(back.values, [1, 2, 3, 4])
        XCTAssertEqual(pthread_equal(try XCTUnwrap(back.thread), pthread_self()), 0, "changed on the other thread")
    }

    /// Started while the caller keeps its CPU busy, the worker starts on another CPU (queued
    /// behind the caller it would wait for the caller's time slice to end), and may then run on
    /// every CPU the caller may: the placement is only a start. Needs two allowed CPUs.
    func testStartsOnAnotherCPUAndGetsEveryCPUBack() throws {
        let allowed = berth_thread_current_cpu_allowed_count()
        guard allowed > 1 else { throw XCTSkip("this process may use one CPU only") }
        // The caller may move between CPUs meanwhile (rarely): then the round says nothing,
        // and another is tried.
        for _ in 0..<20 {
            let workerCPU = Atomic<Int32>(-1)
            let workerAllowed = Atomic<Int32>(-1)
            let before = berth_current_cpu()
            let thread = SecondThread { () -> Void in
                workerAllowed.store(berth_thread_current_cpu_allowed_count(), ordering: .relaxed)
                workerCPU.store(berth_current_cpu(), ordering: .releasing)
            }
            // Busy until the worker has looked (bounded: the assertions below say why it ended).
            let deadline = DispatchTime.now().uptimeNanoseconds + 10_000_000_000
            while workerCPU.load(ordering: .acquiring) < 0, DispatchTime.now().uptimeNanoseconds < deadline {}
            let after = berth_current_cpu()
            try thread.join()
            guard before == after else { continue }
            XCTAssertGreaterThanOrEqual(workerCPU.load(ordering: .acquiring), 0, "the worker started while the caller was busy")
            XCTAssertNotEqual(workerCPU.load(ordering: .acquiring), before, "the worker started on another CPU than its busy creator's")
            XCTAssertEqual(workerAllowed.load(ordering: .relaxed), allowed, "the worker may run on every CPU its creator may")
            return
        }
        XCTFail("the caller changed CPUs in every round")
    }

    /// Not `Sendable`: it can only cross threads by being sent.
    final class Box {
        var values: [Int]
        var thread: pthread_t?
        init(values: [Int]) { self.values = values }
    }
}
