import ArgumentParser
@testable import BerthCLI
import XCTest

/// `berth --version` is answered by the root command with the one version string.
final class VersionFlagTests: XCTestCase {
    func testVersionFlagPrintsTheVersion() {
        XCTAssertThrowsError(try BerthCommand.parseAsRoot(["--version"])) { error in
            XCTAssertEqual(BerthCommand.exitCode(for: error), .success)
            XCTAssertEqual(BerthCommand.fullMessage(for: error), BerthVersion.current)
        }
    }

    func testVersionAfterASubcommandTakesTheRootPath() {
        XCTAssertNil(CommandDispatch.leaf(for: ["gc", "--version"]).0)
        XCTAssertNil(CommandDispatch.leaf(for: ["network", "connect", "--version"]).0)
        // after `--`, it is a command's argument (berth run)
        XCTAssertNotNil(CommandDispatch.leaf(for: ["run", "--", "sh", "--version"]).0)
    }

    func testVersionIsSemantic() {
        let parts = BerthVersion.current.split(separator: ".")
        XCTAssertEqual(parts.count, 3)
        XCTAssertTrue(parts.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) })
    }
}
