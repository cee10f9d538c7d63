@testable import BerthCLI
import XCTest

/// The CLI's JSON values print through BerthJSON's writer in the layout `--format json` has
/// always had (the writer's own tests are in BerthJSONTests).
final class JSONValueTests: XCTestCase {
    func testRenderedLayout() {
        let value = JSONValue.object([
            ("name", .string("a\"b\\c\nd\u{1}é")),
            ("n", .int(-7)), ("ok", .bool(true)), ("none", .null), ("maybe", .optional(nil)),
            ("list", .array([.int(1), .array([]), .optional("x")])), ("empty", .object([])),
        ])
        XCTAssertEqual(value.rendered(), """
            {
              "name": "a\\"b\\\\c\\nd\\u0001é",
              "n": -7,
              "ok": true,
              "none": null,
              "maybe": null,
              "list": [
                1,
                [],
                "x"
              ],
              "empty": {}
            }
            """)
        XCTAssertEqual(JSONValue.array([]).rendered(), "[]")
    }
}
