@testable import BerthCLI
import XCTest

final class JSONWriterTests: XCTestCase {
    func testEscapingAndLayout() {
        let value = JSONValue.object([
            ("name", .string("a\"b\\c\nd\u{1}é")),
            ("n", .int(-7)), ("ok", .bool(true)), ("none", .null),
            ("list", .array([.int(1), .array([])])), ("empty", .object([])),
        ])
        XCTAssertEqual(value.rendered(), """
            {
              "name": "a\\"b\\\\c\\nd\\u0001é",
              "n": -7,
              "ok": true,
              "none": null,
              "list": [
                1,
                []
              ],
              "empty": {}
            }
            """)
    }
}
