import BerthTestSupport
import Glibc
import XCTest

/// The check every CNI test ends with must be able to fail: here it watches a directory of the
/// test's own in place of /var/lib/berth, and the test does there what no test may do there.
final class PrivateStateDirectoryTests: XCTestCase {
    private var watched: TemporaryDirectory!
    override func setUp() { watched = TemporaryDirectory(prefix: "berth-watched") }
    override func tearDown() { watched.remove() }

    func testNamesItsOwnDirectoryAndRestoresTheEnvironment() {
        let before = getenv("BERTH_STATE_DIR").map { String(cString: $0) }
        let state = PrivateStateDirectory(watching: watched.path)
        XCTAssertEqual(getenv("BERTH_STATE_DIR").map { String(cString: $0) }, state.path)
        XCTAssertNotEqual(state.path, PrivateStateDirectory.hostDefault)
        XCTAssertEqual(state.entries, [])
        XCTAssertEqual(state.finish(), [], "nothing was done in the watched directory")
        XCTAssertEqual(getenv("BERTH_STATE_DIR").map { String(cString: $0) }, before)
        XCTAssertNil(state.entries, "the private directory is gone")
    }

    func testReadingAFileThereIsReported() {
        let database = watched.path + "/berth.db"
        let made = open(database, O_WRONLY | O_CREAT, 0o600)
        XCTAssertGreaterThanOrEqual(made, 0)
        close(made)
        let state = PrivateStateDirectory(watching: watched.path)
        let fd = open(database, O_RDONLY)
        XCTAssertGreaterThanOrEqual(fd, 0)
        close(fd)
        let events = state.finish()
        XCTAssertTrue(events.contains { $0.hasPrefix("OPEN") && $0.hasSuffix("/berth.db") }, "\(events)")
    }

    func testCreatingTheDirectoryIsReported() {
        let missing = watched.path + "/berth"
        let state = PrivateStateDirectory(watching: missing)
        XCTAssertEqual(mkdir(missing, 0o700), 0)
        let events = state.finish()
        XCTAssertTrue(events.contains { $0.contains("CREATE") && $0.hasSuffix(missing) }, "\(events)")
    }
}
