import Glibc
import XCTest
@testable import BerthStore
import BerthTestSupport

/// A store opened for a latency-bound command (connect) leaves the WAL to ``Store/finish()``,
/// which has it checkpointed and started over by a detached child process.
final class DeferredCheckpointTests: XCTestCase {
    private var dir: TemporaryDirectory!
    override func setUp() { dir = TemporaryDirectory() }
    override func tearDown() { dir.remove() }

    /// The network the endpoints go to, made through an ordinary (inline-checkpointing) store.
    private func createNetwork() throws {
        let setup = try Store(directory: dir.path)
        try setup.insertNetwork(Fixtures.network("web"))
        setup.finish()
    }

    /// A deferring store on the "web" network after `writes` small commits.
    private func deferredStore(afterWrites writes: Int) throws -> Store {
        try createNetwork()
        let store = try Store(directory: dir.path, deferringCheckpoints: true)
        try write(store, count: writes)
        return store
    }

    /// One small write transaction per call: a few WAL pages each.
    private func write(_ store: Store, count: Int, from first: Int = 2) throws {
        for i in first..<(first + count) {
            try store.insertEndpoint(Fixtures.endpoint("web", address: "10.88.\(i / 250).\(i % 250 + 2)",
                                                       netns: (4, UInt64(4026532000 + i))))
        }
    }

    /// The WAL header's checkpoint sequence number (bytes 12–15, big-endian), which goes up each
    /// time the WAL starts over. Read from the file, so looking changes nothing.
    private func walRestarts() -> UInt32 {
        let fd = open(dir.path + "/berth.db-wal", O_RDONLY)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var bytes = [UInt8](repeating: 0, count: 4)
        guard pread(fd, &bytes, 4, 12) == 4 else { return 0 }
        return bytes.reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Calls `store.finish()` and returns the child process it started, if it started one.
    private func finishStartingAChild(_ store: Store) -> pid_t? {
        let before = ChildProcesses.current()
        store.finish()
        let started = ChildProcesses.current().subtracting(before)
        XCTAssertLessThanOrEqual(started.count, 1, "finish starts at most one child")
        return started.first
    }

    private func databaseFileSize() -> Int {
        var info = stat()
        return stat(dir.path + "/berth.db", &info) == 0 ? Int(info.st_size) : -1
    }

    func testCommitsDoNotCheckpointWhileDeferred() throws {
        try createNetwork()
        let sizeBefore = databaseFileSize()
        let store = try Store(directory: dir.path, deferringCheckpoints: true)
        try write(store, count: 40)
        XCTAssertGreaterThan(store.db.walPages, SQLiteConnection.autocheckpointPages,
                             "the test must write past the inline checkpoint threshold")
        // Inline checkpointing would have copied pages into the database file by now.
        XCTAssertEqual(databaseFileSize(), sizeBefore)
    }

    func testFinishCheckpointsAndStartsTheLogOver() throws {
        let store = try deferredStore(afterWrites: 40)
        XCTAssertGreaterThan(store.db.walPages, SQLiteConnection.autocheckpointPages)
        let restarts = walRestarts()
        let checkpointer = try XCTUnwrap(finishStartingAChild(store), "finish started no checkpointing child")
        // The child runs on its own: wait for it to end rather than assume its timing.
        XCTAssertEqual(ChildProcesses.wait(for: checkpointer), 0, "the child exits with 0")
        XCTAssertEqual(walRestarts(), restarts + 1, "the WAL was not checkpointed and started over")
        let reopened = try Store(directory: dir.path)
        XCTAssertEqual(try reopened.endpoints(network: "web").count, 40)
    }

    func testAShortLogIsLeftAlone() throws {
        let store = try deferredStore(afterWrites: 1)
        XCTAssertLessThan(store.db.walPages, SQLiteConnection.autocheckpointPages)
        let restarts = walRestarts()
        // Only a child could checkpoint once the store is closed: none started, nothing can change.
        XCTAssertNil(finishStartingAChild(store), "a short log is not worth a checkpointing child")
        XCTAssertEqual(walRestarts(), restarts)
    }

    func testAVeryLongLogIsCheckpointedAtCommitEvenWhenDeferred() throws {
        try createNetwork()
        let sizeBefore = databaseFileSize()
        let store = try Store(directory: dir.path, deferringCheckpoints: true)
        var written = 0
        while store.db.walPages < Store.deferredCheckpointLimit - 10 && written < 2000 {
            try write(store, count: 1, from: 2 + written)
            written += 1
        }
        try write(store, count: 20, from: 2 + written)
        XCTAssertGreaterThan(databaseFileSize(), sizeBefore, "the backstop checkpoint did not run")
    }

    func testFinishIsIdempotent() throws {
        let store = try Store(directory: dir.path, deferringCheckpoints: true)
        store.finish()
        store.finish()
        XCTAssertFalse(store.db.isOpen)
    }
}

/// ``DetachedChild/threadCount()``: what callers that may run beside other threads check
/// before they fork.
final class DetachedChildThreadTests: XCTestCase {
    func testThreadCountSeesASecondThread() throws {
        let before = try XCTUnwrap(DetachedChild.threadCount())
        XCTAssertGreaterThanOrEqual(before, 1)
        let second = try SecondThreadForTests()
        XCTAssertEqual(DetachedChild.threadCount(), before + 1)
        second.finish()
        XCTAssertEqual(DetachedChild.threadCount(), before)
    }
}

/// A thread that waits until ``finish()`` lets it end, then is joined.
private final class SecondThreadForTests {
    private let gate: UnsafeMutablePointer<Int32>
    private var thread = pthread_t()

    init() throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw POSIXErrorForTests(errno) }
        gate = .allocate(capacity: 2)
        gate[0] = fds[0]
        gate[1] = fds[1]
        let rc = pthread_create(&thread, nil, { raw in
            // Blocks until the write end closes.
            var byte: UInt8 = 0
            _ = read(raw!.assumingMemoryBound(to: Int32.self)[0], &byte, 1)
            return nil
        }, gate)
        guard rc == 0 else { throw POSIXErrorForTests(rc) }
    }

    func finish() {
        close(gate[1])
        pthread_join(thread, nil)
        close(gate[0])
        gate.deallocate()
    }
}

private struct POSIXErrorForTests: Error { let code: Int32; init(_ code: Int32) { self.code = code } }
