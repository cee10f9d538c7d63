import BerthJSON
import XCTest

/// The one JSON writer: both layouts byte for byte, escaping, nesting, key order, and that
/// what it writes reads back as it was meant.
final class JSONWriterTests: XCTestCase {
    /// A document with every kind of value, nested, and empty containers.
    private func sample(_ w: JSONWriter) {
        w.object {
            w.field("name", "a\"b\\c\nd\u{1}é")
            w.field("n", -7)
            w.field("ok", true)
            w.key("none"); w.null()
            w.array("list") {
                w.int(1)
                w.array {}
            }
            w.object("empty") {}
        }
    }

    /// The CLI's layout (what `berth … --format json` has always printed).
    func testPrettyLayout() {
        let w = JSONWriter(style: .pretty)
        sample(w)
        XCTAssertEqual(w.text, """
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

    /// CNI's and the store's layout: no white space at all.
    func testCompactLayout() {
        let w = JSONWriter()
        sample(w)
        XCTAssertEqual(w.text, #"{"name":"a\"b\\c\nd\u0001é","n":-7,"ok":true,"none":null,"list":[1,[]],"empty":{}}"#)
        XCTAssertEqual(w.style, .compact)
    }

    func testEscaping() {
        let w = JSONWriter()
        w.array {
            w.string("\"\\/")
            w.string("\n\r\t\u{8}\u{c}")
            w.string("\u{0}\u{1f}\u{7f}")
            w.string("é😀")
            w.string("")
        }
        XCTAssertEqual(w.text, #"["\"\\/","\n\r\t\u0008\u000c","\u0000\u001f"# + "\u{7f}" + #"","é😀",""]"#,
                       "quotes, backslashes and control characters escaped; `/`, DEL and UTF-8 as they are")

        // Every character below 0x80, and some beyond, read back as written.
        var all = String(decoding: (0..<0x80).map { UInt8($0) }, as: UTF8.self)
        all += "é€😀\u{2028}"
        for style in [JSONWriter.Style.compact, .pretty] {
            let one = JSONWriter(style: style)
            one.object { one.field(all, all) }
            XCTAssertEqual(try JSONParser.parse(one.bytes), .object(JSONObject([(name: all, value: .string(all))])))
        }
    }

    /// A string written alone, as a document.
    private func literal(_ s: String) -> String {
        let w = JSONWriter()
        w.string(s)
        return w.text
    }

    func testStringLiterals() throws {
        XCTAssertEqual(literal("plain é"), "\"plain é\"")
        XCTAssertEqual(literal("q\"b\\n\nr\rt\t\u{1}\u{1f}"), #""q\"b\\n\nr\rt\t\u0001\u001f""#)
        // Whatever the writer produces, the reader gives back unchanged.
        for s in ["", "a/b", "\u{0}\u{7f}", "\"\\", "日本語 😀", "line\nbreak"] {
            XCTAssertEqual(try JSONParser.parse(Array(literal(s).utf8)), .string(s))
        }
    }

    func testIntegers() {
        let w = JSONWriter()
        w.array {
            for v: Int64 in [0, 7, -1, 10, 1_700_000_000, .max, .min] { w.int(v) }
            w.int(Int(-42))
        }
        XCTAssertEqual(w.text, "[0,7,-1,10,1700000000,9223372036854775807,-9223372036854775808,-42]")
    }

    /// Keys stay in the order written, duplicates included: the writer reorders nothing.
    func testKeyOrderIsAsWritten() {
        let w = JSONWriter()
        w.object {
            w.field("z", 1)
            w.field("a", 2)
            w.field("m", 3)
            w.field("a", 4)
            w.object("b") { w.field("y", "1"); w.field("x", "2") }
        }
        XCTAssertEqual(w.text, #"{"z":1,"a":2,"m":3,"a":4,"b":{"y":"1","x":"2"}}"#)
    }

    func testNesting() {
        let compact = JSONWriter()
        let pretty = JSONWriter(style: .pretty)
        for w in [compact, pretty] {
            w.array {
                w.array { w.array { w.object { w.array("a") { w.object {} } } } }
                w.object { w.object("o") { w.field("k", false) } }
                w.array {}
            }
        }
        XCTAssertEqual(compact.text, #"[[[{"a":[{}]}]],{"o":{"k":false}},[]]"#)
        XCTAssertEqual(pretty.text, """
            [
              [
                [
                  {
                    "a": [
                      {}
                    ]
                  }
                ]
              ],
              {
                "o": {
                  "k": false
                }
              },
              []
            ]
            """)
    }

    /// Any document written with the container calls reads back as the same value, in both layouts.
    func testWrittenDocumentsReadBack() throws {
        let document: JSONNode = .object(JSONObject([
            (name: "cniVersion", value: .string("1.1.0")),
            (name: "interfaces", value: .array([
                .object(JSONObject([(name: "name", value: .string("eth0")), (name: "mtu", value: .number(1500))])),
                .object(JSONObject()),
            ])),
            (name: "dns", value: .object(JSONObject([(name: "search", value: .array([.string("a"), .string("b")]))]))),
            (name: "flags", value: .array([.bool(true), .bool(false), .null, .array([])])),
        ]))
        for style in [JSONWriter.Style.compact, .pretty] {
            let w = JSONWriter(style: style)
            Self.write(document, to: w)
            XCTAssertEqual(try JSONParser.parse(w.bytes), document, "\(style)")
        }
    }

    /// Top-level scalars are documents too.
    func testScalarDocuments() {
        for (write, expected) in [({ (w: JSONWriter) in w.string("x") }, #""x""#), ({ $0.int(5) }, "5"),
                                  ({ $0.bool(false) }, "false"), ({ $0.null() }, "null")] {
            let w = JSONWriter(style: .pretty)
            write(w)
            XCTAssertEqual(w.text, expected)
        }
    }

    private static func write(_ node: JSONNode, to w: JSONWriter) {
        switch node {
        case .object(let o):
            w.object { for m in o.members { w.key(m.name); write(m.value, to: w) } }
        case .array(let items):
            w.array { for item in items { write(item, to: w) } }
        case .string(let s): w.string(s)
        case .number(let n): w.int(Int64(n))
        case .bool(let b): w.bool(b)
        case .null: w.null()
        }
    }
}
