@testable import BerthEngine
import BerthTestSupport
import Glibc
import XCTest

/// The live client over a real control socket (a one-request server on a second thread), and
/// its behaviour with no server and no `berth-dns`: bounded, never a hang.
final class DNSControlClientTests: XCTestCase {
    private var dir: TemporaryDirectory!
    override func setUp() {
        dir = TemporaryDirectory(prefix: "berth-dns-client")
        setenv("BERTH_DNS_BINARY", dir.path + "/no-such-berth-dns", 1)
    }
    override func tearDown() {
        unsetenv("BERTH_DNS_BINARY")
        dir.remove()
    }

    /// Binds `STATE/dns/control.sock` and answers one request with `reply`; the thread
    /// returns the request it got.
    private func serveOnce(_ reply: String) throws -> SecondThread<String> {
        mkdir(dir.path + "/dns", 0o700)
        let fd = socket(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue), 0)
        XCTAssertGreaterThanOrEqual(fd, 0)
        var address = try XCTUnwrap(DNSControlSocket.socketAddress(dir.path + "/dns/control.sock"))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        XCTAssertEqual(bound, 0)
        XCTAssertEqual(listen(fd, 4), 0)
        return SecondThread {
            defer { close(fd) }
            let connection = accept(fd, nil, nil)
            defer { close(connection) }
            var buffer = [UInt8](repeating: 0, count: 512)
            let n = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
            _ = reply.utf8CString.withUnsafeBufferPointer { send(connection, $0.baseAddress, $0.count - 1, 0) }
            return String(decoding: buffer[0..<max(n, 0)], as: UTF8.self)
        }
    }

    func testAnAcknowledgedEndpointChange() throws {
        let server = try serveOnce("ok 7")
        XCTAssertTrue(DNSControlClient(stateDirectory: dir.path).endpointChanged("0123456789abcdef"))
        let request = try server.join()
        XCTAssertEqual(request, "endpoint 0123456789abcdef")
    }

    func testARefusedNetworkIsTheCommandsError() throws {
        let server = try serveOnce("error bind 10.88.0.1:53: address in use")
        XCTAssertThrowsError(try DNSControlClient(stateDirectory: dir.path).networkChanged("web")) {
            XCTAssertEqual("\($0)", "the name service refused network 'web': bind 10.88.0.1:53: address in use")
        }
        let request = try server.join()
        XCTAssertEqual(request, "network web")
    }

    func testStatusReturnsTheJSON() throws {
        let server = try serveOnce(#"ok {"pid":1,"generation":2}"#)
        XCTAssertEqual(try DNSControlClient(stateDirectory: dir.path).status(), #"{"pid":1,"generation":2}"#)
        let request = try server.join()
        XCTAssertEqual(request, "status")
    }

    func testNoServerAndNoBinaryIsQuickAndNotAnError() throws {
        let client = DNSControlClient(stateDirectory: dir.path)
        let start = MonotonicClock.now()
        XCTAssertNil(try client.status(), "not running")
        XCTAssertFalse(client.endpointChanged("e1"), "no acknowledgement")
        XCTAssertNoThrow(try client.networkChanged("web"), "a note, not an error: berth-dns is not installed")
        XCTAssertThrowsError(try client.ensureRunning()) { XCTAssertTrue("\($0)".contains("not installed"), "\($0)") }
        XCTAssertLessThan(MonotonicClock.now() - start, 500, "no deadline waited out")
    }

    func testAServerThatExitsBeforeReadyFailsFast() throws {
        let script = dir.path + "/berth-dns"
        let fd = open(script, O_WRONLY | O_CREAT, 0o755)
        let text = "#!/bin/sh\necho 'error bind 10.88.0.1:53: address in use' >&3\nexit 1\n"
        _ = text.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
        close(fd)
        setenv("BERTH_DNS_BINARY", script, 1)
        let start = MonotonicClock.now()
        XCTAssertThrowsError(try DNSControlClient(stateDirectory: dir.path).networkChanged("web")) {
            XCTAssertEqual("\($0)", "the name service could not take network 'web': bind 10.88.0.1:53: address in use")
        }
        XCTAssertLessThan(MonotonicClock.now() - start, 1500)
    }

    func testRepliesParse() {
        XCTAssertEqual(DNSControlSocket.parse("ok 12\n"), .ok("12"))
        XCTAssertEqual(DNSControlSocket.parse("error no such network"), .refused("no such network"))
        XCTAssertEqual(DNSControlSocket.parse("what"), .refused("unexpected reply 'what'"))
    }
}
