import XCTest
import BerthIPAM

/// Fails unless `validate` refuses the address of each case with the case's error, whose
/// message is the case's text.
func assertRefusals<Address>(_ cases: [(Address, IPAMError, String)], file: StaticString = #filePath, line: UInt = #line,
                             _ validate: (Address) throws -> Void) {
    for (address, expected, message) in cases {
        XCTAssertThrowsError(try validate(address), "\(address)", file: file, line: line) { error in
            XCTAssertEqual(error as? IPAMError, expected, file: file, line: line)
            XCTAssertEqual("\(error)", message, file: file, line: line)
        }
    }
}
