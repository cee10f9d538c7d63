import CBerthShim
import Glibc
import XCTest

/// The child that keeps a command's nfnetlink sockets past its exit (``CommitRelease``): it
/// must hold those sockets and nothing else (a runtime reading berth's output until end of file,
/// or the next command taking the operation lock, must not wait for it), and go away by itself.
final class CommitReleaseTests: XCTestCase {
    func testChildHoldsOnlyTheNfnetlinkSocketAndLeaves() throws {
        let nf = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 12)   // NETLINK_NETFILTER
        XCTAssertGreaterThanOrEqual(nf, 0)
        defer { close(nf) }
        let route = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)   // NETLINK_ROUTE
        defer { close(route) }
        var ends: [Int32] = [0, 0]
        XCTAssertEqual(pipe(&ends), 0)
        defer { close(ends[0]) }

        let child = berth_hold_nfnetlink_sockets(1)
        XCTAssertGreaterThan(child, 0, "no holding child started")
        guard child > 0 else { return }

        // The child's descriptors settle (it closes the others right after fork) on exactly the
        // one socket, whose inode is the nfnetlink socket's.
        var st = stat()
        XCTAssertEqual(fstat(nf, &st), 0)
        let expected = ["socket:[\(st.st_ino)]"]
        var held: [String] = []
        for _ in 0..<500 {
            // (besides the pidfd it waits on for this process's exit)
            held = Self.descriptors(of: child).filter { $0 != "anon_inode:[pidfd]" }
            if held == expected { break }
            usleep(10_000)
        }
        XCTAssertEqual(held, expected)

        // With the write end closed here, the reader sees end of file: the child does not hold it.
        close(ends[1])
        var pfd = pollfd(fd: ends[0], events: Int16(POLLIN), revents: 0)
        XCTAssertEqual(poll(&pfd, 1, 5000), 1)
        var byte: UInt8 = 0
        XCTAssertEqual(read(ends[0], &byte, 1), 0)

        // This process lives on: the child gives the socket back after its bound (1 s) and exits.
        var status: Int32 = 0
        var reaped: pid_t = 0
        for _ in 0..<1000 where reaped == 0 {
            reaped = waitpid(child, &status, WNOHANG)
            if reaped == 0 { usleep(10_000) }
        }
        XCTAssertEqual(reaped, child, "the holding child did not exit by itself")
        XCTAssertEqual(status, 0)
    }

    func testNoChildWithoutNfnetlinkSockets() {
        // Nothing to hold in a process whose only netlink socket is a routing one.
        var pid: pid_t = 0
        let helper = fork()
        if helper == 0 {
            _ = berth_close_from(3)
            let route = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue), 0)
            _exit(route >= 0 && berth_hold_nfnetlink_sockets(1) == 0 ? 0 : 1)
        }
        var status: Int32 = 0
        pid = waitpid(helper, &status, 0)
        XCTAssertEqual(pid, helper)
        XCTAssertEqual(status, 0)
    }

    /// The targets of /proc/PID/fd's links, sorted.
    private static func descriptors(of pid: pid_t) -> [String] {
        guard let dir = opendir("/proc/\(pid)/fd") else { return [] }
        defer { closedir(dir) }
        var targets: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            guard name != ".", name != ".." else { continue }
            var buffer = [CChar](repeating: 0, count: 256)
            let n = readlink("/proc/\(pid)/fd/\(name)", &buffer, 255)
            if n > 0 { targets.append(String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)) }
        }
        return targets.sorted()
    }
}
