@testable import BerthEngine
import BerthAddress
import BerthStore
import BerthTestSupport
import Glibc
import XCTest

/// The per-network hint file connect reads before the store is open: its line format, and
/// saving, loading, refreshing and removing it in a real directory.
final class NetworkHintTests: XCTestCase {
    private var temporary: TemporaryDirectory!
    private var directory: String { temporary.path }

    override func setUp() { temporary = TemporaryDirectory(prefix: "bt-hint-test") }
    override func tearDown() { temporary.remove() }

    private func network(bridge: String = "berth1234", mtu: Int = 0, firewall: String = "nftables") throws -> NetworkRecord {
        NetworkRecord(name: "web", id: "0123456789abcdef", bridge: bridge,
                      subnet: try XCTUnwrap(IPv4Subnet("10.77.0.0/24")), gateway: try XCTUnwrap(IPv4Address("10.77.0.1")),
                      ipRange: nil, mtu: mtu, isInternal: false, masquerade: true, labels: [:], created: 0,
                      firewall: firewall)
    }

    func testLineRoundTripsAndRejectsDamage() {
        let hint = NetworkHint(id: "0123456789abcdef", device: "berth0", mtu: 1400, driver: "bridge", firewall: "none")
        XCTAssertEqual(hint.line, "0123456789abcdef berth0 1400 bridge none\n")
        XCTAssertEqual(NetworkHint(line: "0123456789abcdef berth0 1400 bridge none"), hint)
        for damaged in ["", "0123 berth0", "0123 berth0 x", "0123 berth0 -1", "0123 a-bridge-name-too-long 0",
                        "a b c d", "a b 0 d e f", "0123 berth0 1400  nftables", "0123 berth0 1400 bridge nftables "] {
            XCTAssertNil(NetworkHint(line: damaged), damaged)
        }
    }

    /// The subnets and gateways ride at the end of the line, tagged, for each family the
    /// network has; a damaged tag or address makes the whole line no hint.
    func testAddressingRoundTripsAndRejectsDamage() throws {
        let hint = NetworkHint(id: "0123456789abcdef", device: "berth0", mtu: 0, driver: "macvlan", firewall: "nftables",
                               parent: "ifb0", mode: "bridge",
                               ipv4: .init(subnet: try XCTUnwrap(IPv4Subnet("10.77.0.0/24")), gateway: try XCTUnwrap(IPv4Address("10.77.0.1"))),
                               ipv6: .init(subnet: try XCTUnwrap(IPv6Subnet("fd00:77::/64")), gateway: try XCTUnwrap(IPv6Address("fd00:77::1"))))
        XCTAssertEqual(hint.line, "0123456789abcdef berth0 0 macvlan nftables ifb0 bridge ip4=10.77.0.0/24@10.77.0.1 ip6=fd00:77::/64@fd00:77::1\n")
        XCTAssertEqual(NetworkHint(line: String(hint.line.dropLast())), hint)
        XCTAssertEqual(NetworkHint(line: "0123 berth0 0 bridge none ip6=fd00:77::/64@fd00:77::1")?.ipv6?.gateway.description, "fd00:77::1")
        for damaged in ["0123 berth0 0 bridge none ip4=10.77.0.0/24", "0123 berth0 0 bridge none ip4=10.77.0.0/24@x",
                        "0123 berth0 0 bridge none ip4=fd00::/64@fd00::1", "0123 berth0 0 bridge none ip5=10.0.0.0/8@10.0.0.1",
                        "0123 berth0 0 bridge none ip4=10.0.0.0/8@10.0.0.1 ip4=10.0.0.0/8@10.0.0.1",
                        "0123 berth0 0 bridge ip4=10.0.0.0/8@10.0.0.1"] {
            XCTAssertNil(NetworkHint(line: damaged), damaged)
        }
    }

    /// What the hint says of static addresses: in the subnet and not reserved, per family; a
    /// family the hint does not know cannot be vouched for.
    func testAdmitsOnlyAddressesTheNetworkWouldTake() throws {
        let hint = try XCTUnwrap(NetworkHint(line: "0123 berth0 0 bridge nftables ip4=10.77.0.0/24@10.77.0.1"))
        XCTAssertTrue(hint.admits(address: IPv4Address("10.77.0.5"), address6: nil))
        XCTAssertTrue(hint.admits(address: nil, address6: nil))
        for refused in ["10.78.0.5", "10.77.0.1", "10.77.0.0", "10.77.0.255"] {
            XCTAssertFalse(hint.admits(address: IPv4Address(refused), address6: nil), refused)
        }
        XCTAssertFalse(hint.admits(address: IPv4Address("10.77.0.5"), address6: IPv6Address("fd00::5")), "no IPv6 in the hint")
        let old = try XCTUnwrap(NetworkHint(line: "0123 berth0 0 bridge nftables"))
        XCTAssertFalse(old.admits(address: IPv4Address("10.77.0.5"), address6: nil), "an older hint knows no subnet")
    }

    /// A hint written before networks recorded their drivers (three words) is a bridge with
    /// nftables, so a connect after an upgrade still overlaps its two halves.
    func testThreeWordLineIsABridgeWithNftables() {
        XCTAssertEqual(NetworkHint(line: "0123456789abcdef berth0 1400"),
                       NetworkHint(id: "0123456789abcdef", device: "berth0", mtu: 1400, driver: "bridge", firewall: "nftables"))
    }

    /// A link planted at the temporary file's name must not make root write through it.
    func testSaveNeverWritesThroughAPlantedLink() throws {
        let victim = directory + "/victim"
        let original = "precious\n"
        let fd = open(victim, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        XCTAssertGreaterThanOrEqual(fd, 0)
        _ = original.withCString { write(fd, $0, strlen($0)) }
        close(fd)
        defer { unlink(victim) }
        XCTAssertEqual(mkdir(directory + "/hints", 0o700), 0)
        let temporary = NetworkHint.path(network: "web", directory: directory) + ".\(getpid()).tmp"
        XCTAssertEqual(symlink(victim, temporary), 0)
        defer { unlink(temporary) }

        NetworkHint.save(try network(), directory: directory)

        XCTAssertEqual(NetworkHint.load(network: "web", directory: directory), NetworkHint(try network()))
        var buffer = [UInt8](repeating: 0, count: 64)
        let rd = open(victim, O_RDONLY)
        let count = read(rd, &buffer, 64)
        close(rd)
        XCTAssertEqual(String(decoding: buffer[..<max(count, 0)], as: UTF8.self), original, "the link's target is untouched")
        var info = stat()
        XCTAssertNotEqual(lstat(temporary, &info), 0, "the planted link is gone")
    }

    /// A hint that is a link (or a FIFO) is not read: it could block or point anywhere.
    func testLoadIgnoresLinksAndFIFOs() throws {
        NetworkHint.save(try network(), directory: directory)
        let path = NetworkHint.path(network: "web", directory: directory)
        XCTAssertEqual(rename(path, path + ".real"), 0)
        defer { unlink(path + ".real") }
        XCTAssertEqual(symlink(path + ".real", path), 0)
        XCTAssertNil(NetworkHint.load(network: "web", directory: directory), "a link is not followed")
        unlink(path)
        XCTAssertEqual(mkfifo(path, 0o600), 0)
        XCTAssertNil(NetworkHint.load(network: "web", directory: directory), "a FIFO is not waited on")
    }

    func testSaveLoadRefreshRemove() throws {
        XCTAssertNil(NetworkHint.load(network: "web", directory: directory), "no hint before the first save")
        let first = try network()
        NetworkHint.save(first, directory: directory)
        XCTAssertEqual(NetworkHint.load(network: "web", directory: directory), NetworkHint(first))

        // A network recreated under the same name with another bridge and firewall: refresh
        // rewrites it.
        let second = try network(bridge: "br-web", mtu: 9000, firewall: "none")
        NetworkHint.refresh(second, directory: directory)
        XCTAssertEqual(NetworkHint.load(network: "web", directory: directory), NetworkHint(second))

        NetworkHint.remove(network: "web", directory: directory)
        XCTAssertNil(NetworkHint.load(network: "web", directory: directory))
    }

    func testTruncatedFileIsNoHint() throws {
        NetworkHint.save(try network(), directory: directory)
        let path = NetworkHint.path(network: "web", directory: directory)
        XCTAssertEqual(truncate(path, 10), 0)
        XCTAssertNil(NetworkHint.load(network: "web", directory: directory), "a line without its newline is not trusted")
    }
}
