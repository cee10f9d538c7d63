import XCTest
@testable import BerthStore
import BerthTestSupport

/// The store's `ula-global-id` setting: 40 random bits, drawn on first use and kept for good.
final class UniqueLocalGlobalIDTests: XCTestCase {
    private var dir: TemporaryDirectory!
    override func setUp() { dir = TemporaryDirectory() }
    override func tearDown() { dir.remove() }

    /// The stored texts of the setting (one row at most).
    private func stored(_ store: Store) throws -> [String] {
        try store.db.query("SELECT value FROM settings WHERE key = 'ula-global-id'") { $0.text(0) }
    }

    func testDrawnOnceAndKeptAcrossReopen() throws {
        let store = try Store(directory: dir.path)
        XCTAssertEqual(try stored(store), [], "nothing is drawn before it is asked for")

        let id = try store.transaction { try store.ulaGlobalID() }
        XCTAssertEqual(id >> 40, 0, "40 bits")
        XCTAssertEqual(try store.ulaGlobalID(), id)
        XCTAssertEqual(try Store(directory: dir.path).ulaGlobalID(), id, "kept across processes")

        let text = try XCTUnwrap(try stored(store).first)
        XCTAssertEqual(text.count, 10, "\(text)")
        XCTAssertTrue(text.allSatisfy { $0.isHexDigit }, text)
        XCTAssertEqual(UInt64(text, radix: 16), id)
        XCTAssertEqual(try stored(store).count, 1)
    }

    /// Leading zeros are kept in the text and read back.
    func testStoredValueIsUsedAsIs() throws {
        let store = try Store(directory: dir.path)
        try store.db.execute("INSERT INTO settings (key, value) VALUES ('ula-global-id', '00000abcde')")
        XCTAssertEqual(try store.ulaGlobalID(), 0xABCDE)
    }

    func testMalformedValueIsCorruption() throws {
        let store = try Store(directory: dir.path)
        for bad in ["abcde", "0123456789a", "012345678g"] {
            try store.db.execute("DELETE FROM settings; INSERT INTO settings (key, value) VALUES ('ula-global-id', '\(bad)')")
            XCTAssertThrowsError(try store.ulaGlobalID(), bad) {
                XCTAssertEqual($0 as? StoreError, .corrupt("setting ula-global-id: '\(bad)' is not 10 hex digits"))
            }
        }
    }

    /// Random per store: two stores drawing the same 40 bits happens once in 2^40.
    func testTwoStoresDrawDifferentIDs() throws {
        let other = TemporaryDirectory()
        defer { other.remove() }
        XCTAssertNotEqual(try Store(directory: dir.path).ulaGlobalID(), try Store(directory: other.path).ulaGlobalID())
    }
}
