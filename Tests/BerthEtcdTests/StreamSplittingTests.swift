import XCTest
@testable import BerthEtcd

final class StreamSplittingTests: XCTestCase {
    private var stream: [UInt8] { Array(Captured.watchLines.map { $0 + "\n" }.joined().utf8) }

    private func split(_ bytes: [UInt8], chunk: Int) throws -> [String] {
        var s = JSONStreamSplitter()
        var out: [String] = []
        var i = 0
        while i < bytes.count {
            let piece = bytes[i..<min(i + chunk, bytes.count)]
            out += try s.append(piece).map { String(decoding: $0, as: UTF8.self) }
            i += chunk
        }
        XCTAssertFalse(s.hasPartialObject)
        return out
    }

    func testSeveralObjectsInOneRead() throws {
        XCTAssertEqual(try split(stream, chunk: stream.count), Captured.watchLines)
    }

    func testObjectsSplitAcrossReads() throws {
        for chunk in [1, 2, 7, 64, 333] {
            XCTAssertEqual(try split(stream, chunk: chunk), Captured.watchLines, "chunk \(chunk)")
        }
    }

    func testConcatenatedWithoutNewlinesAndBracesInStrings() throws {
        let objects = [#"{"a":"}{\"","b":[{"c":1}]}"#, #"{"d":"\\"}"#, "{}"]
        let bytes = Array(objects.joined().utf8)
        XCTAssertEqual(try split(bytes, chunk: 3), objects)
    }

    func testPartialObjectIsKept() throws {
        var s = JSONStreamSplitter()
        XCTAssertEqual(try s.append(Array(#"{"a":{"#.utf8)).count, 0)
        XCTAssertTrue(s.hasPartialObject)
        XCTAssertEqual(try s.append(Array(#"}} {"#.utf8)).map { String(decoding: $0, as: UTF8.self) }, [#"{"a":{}}"#])
        XCTAssertTrue(s.hasPartialObject)
    }

    func testGarbageBetweenObjects() {
        var s = JSONStreamSplitter()
        XCTAssertThrowsError(try s.append(Array("{} x".utf8)))
    }
}
