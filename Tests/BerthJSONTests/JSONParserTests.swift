import BerthJSON
import XCTest

final class JSONParserTests: XCTestCase {
    func parse(_ text: String) throws -> JSONNode { try JSONParser.parse(Array(text.utf8)) }

    func testValues() throws {
        XCTAssertEqual(try parse(#" {"a": [1, -2.5e2, true, false, null, "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"]} "#),
                       .object(["a": .array([.number(1), .number(-250), .bool(true), .bool(false), .null,
                                             .string("x\"\\/\u{8}\u{c}\n\r\té😀")])]))
        XCTAssertEqual(try parse("{}"), .object([:]))
        XCTAssertEqual(try parse("[]"), .array([]))
    }

    func testRejected() {
        for bad in ["", "{", "{\"a\"}", "{\"a\":1,}", "[1,]", "01", "1.", "-", "+1", "tru", "nul", "\"\\x\"",
                    "\"\\ud83d\"", "\"a\u{1}\"", "{} x", "[1 2]", "{'a':1}", "/* c */ {}",
                    String(repeating: "[", count: 100) + String(repeating: "]", count: 100)] {
            XCTAssertThrowsError(try parse(bad), bad)
        }
        XCTAssertThrowsError(try JSONParser.parse([0x22, 0xFF, 0x22]), "invalid UTF-8")
    }
}
