import BerthAddress
@testable import BerthNetlink
import XCTest

/// Decoding of kernel replies, fed with byte strings laid out like the kernel's messages, and a
/// session driven through a recording transport to check sequencing and error mapping.
final class ReplyDecodingTests: XCTestCase {
    /// A transport that records what is sent and answers from a queue.
    final class ScriptedTransport: NetlinkTransport {
        var sent: [[UInt8]] = []
        var replies: [[UInt8]] = []
        func send(_ datagram: [UInt8]) throws { sent.append(datagram) }
        func receive() throws -> [UInt8] { replies.removeFirst() }
    }

    func le32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }
    func le16(_ v: UInt16) -> [UInt8] { withUnsafeBytes(of: v.littleEndian, Array.init) }

    func message(type: UInt16, flags: UInt16 = 0, seq: UInt32, payload: [UInt8]) -> [UInt8] {
        le32(UInt32(16 + payload.count)) + le16(type) + le16(flags) + le32(seq) + le32(0) + payload
    }

    func ack(seq: UInt32, errno: Int32) -> [UInt8] {
        message(type: NLMsg.error, flags: 0x100, seq: seq,
                payload: le32(UInt32(bitPattern: -errno)) + [UInt8](repeating: 0, count: 16))
    }

    func testLinkDecoding() throws {
        let attrs = le16(9) + le16(IFLA.ifname) + Array("eth0".utf8) + [0, 0, 0, 0]
            + le16(8) + le16(IFLA.mtu) + le32(1500)
            + le16(10) + le16(IFLA.address) + [2, 0, 0, 0, 0, 9, 0, 0]
            + le16(8) + le16(IFLA.master) + le32(3)
            + le16(16) + le16(IFLA.linkinfo) + le16(9) + le16(IFLA.infoKind) + Array("veth".utf8) + [0, 0, 0, 0]
        let payload: [UInt8] = [0, 0] + le16(1) + le32(5) + le32(1) + le32(0) + attrs
        let parsed = NetlinkMessage.parse(message(type: RTM.newLink, seq: 1, payload: payload))
        let link = try XCTUnwrap(LinkInfo(try XCTUnwrap(parsed.first)))
        XCTAssertEqual(link.index, 5)
        XCTAssertEqual(link.name, "eth0")
        XCTAssertEqual(link.mtu, 1500)
        XCTAssertEqual(link.mac?.description, "02:00:00:00:00:09")
        XCTAssertEqual(link.master, 3)
        XCTAssertEqual(link.kind, "veth")
        XCTAssertTrue(link.isUp)
    }

    func testRouteDecodingSeesOnLinkRoutes() throws {
        let payload: [UInt8] = [2, 24, 0, 0, 254, 2, 253, 1] + le32(0)
            + le16(8) + le16(RTA.dst) + [10, 1, 2, 0]
            + le16(8) + le16(RTA.oif) + le32(2)
        let route = try XCTUnwrap(RouteInfo(NetlinkMessage.parse(message(type: RTM.newRoute, seq: 1, payload: payload))[0]))
        XCTAssertEqual(route.destination.description, "10.1.2.0/24")
        XCTAssertNil(route.gateway)
        XCTAssertTrue(route.isOnLink)
        XCTAssertEqual(route.outputIndex, 2)
    }

    func testRouteDecodingReadsTheMetric() throws {
        // A default route with RTA_PRIORITY 100 (a Podman network's), and one without (0).
        let with: [UInt8] = [2, 0, 0, 0, 254, 3, 0, 1] + le32(0)
            + le16(8) + le16(RTA.gateway) + [10, 89, 0, 1]
            + le16(8) + le16(RTA.oif) + le32(2)
            + le16(8) + le16(RTA.priority) + le32(100)
        let route = try XCTUnwrap(RouteInfo(NetlinkMessage.parse(message(type: RTM.newRoute, seq: 1, payload: with))[0]))
        XCTAssertEqual(route.destination.prefixLength, 0)
        XCTAssertEqual(route.metric, 100)
        let without: [UInt8] = [2, 0, 0, 0, 254, 3, 0, 1] + le32(0) + le16(8) + le16(RTA.oif) + le32(2)
        XCTAssertEqual(try XCTUnwrap(RouteInfo(NetlinkMessage.parse(message(type: RTM.newRoute, seq: 1, payload: without))[0])).metric, 0)
    }

    func testTruncatedInputIsIgnoredNotTrapped() {
        XCTAssertTrue(NetlinkMessage.parse([1, 2, 3]).isEmpty)
        XCTAssertTrue(NetlinkMessage.parse(le32(1000) + [UInt8](repeating: 0, count: 20)).isEmpty)
        _ = NetlinkAttributes([0xff, 0xff, 1, 0][...])
        _ = NetlinkAttributes((le16(3) + le16(1))[...])
    }

    func testPipelinedRequestsReportTheFirstFailure() throws {
        let transport = ScriptedTransport()
        let session = RouteSession(transport: transport, firstSequence: 0)
        transport.replies = [ack(seq: 1, errno: 0) + ack(seq: 2, errno: 17) + ack(seq: 3, errno: 19)]
        XCTAssertThrowsError(try session.execute([
            (RouteRequests.setLinkUp(index: 2), "first"),
            (RouteRequests.setLinkUp(index: 3), "second"),
            (RouteRequests.setLinkUp(index: 4), "third"),
        ])) { error in
            let e = error as? NetlinkError
            XCTAssertEqual(e?.operation, "second")
            XCTAssertEqual(e?.errno, 17)
            XCTAssertEqual(e?.alreadyExists, true)
        }
        XCTAssertEqual(transport.sent.count, 1, "all three requests go in one datagram")
        XCTAssertEqual(transport.sent[0].count, 3 * 32)
    }

    func testEchoedObjectsAreReturnedWithTheAcknowledgements() throws {
        let transport = ScriptedTransport()
        let session = RouteSession(transport: transport, firstSequence: 0)
        // The kernel's echo of a new veth host end: IFLA_LINK is the peer's index (7).
        let attrs = le16(8) + le16(IFLA.ifname) + Array("bv1".utf8) + [0]
            + le16(8) + le16(IFLA.link) + le32(7)
        let echo = message(type: RTM.newLink, seq: 1, payload: [0, 0] + le16(1) + le32(12) + le32(0) + le32(0) + attrs)
        // A stray message of an unrelated sequence number is not part of the answer.
        let stray = message(type: RTM.newLink, seq: 40, payload: [0, 0] + le16(1) + le32(99) + le32(0) + le32(0))
        transport.replies = [echo + stray + ack(seq: 1, errno: 0), ack(seq: 2, errno: 0)]
        let echoed = try session.execute([
            (RouteRequests.createVeth(hostName: "bv1", master: 4, mtu: 0, peerName: "eth0", peerNamespaceFD: 6, peerMAC: nil), "create"),
            (RouteRequests.setLinkUp(name: "bv1"), "up"),
        ])
        XCTAssertEqual(echoed.count, 1)
        let host = try XCTUnwrap(LinkInfo(echoed[0]))
        XCTAssertEqual(host.index, 12)
        XCTAssertEqual(host.name, "bv1")
        XCTAssertEqual(host.peerIndex, 7)
    }

    func testMissingLinkIsNil() throws {
        let transport = ScriptedTransport()
        let session = RouteSession(transport: transport, firstSequence: 0)
        transport.replies = [ack(seq: 1, errno: 19)]
        XCTAssertNil(try session.linkIndex(name: "nope"))
    }

    func testExtendedAckMessageIsKept() throws {
        let text = Array("Nexthop device is not up".utf8) + [0]
        let padded = text + [UInt8](repeating: 0, count: (4 - text.count % 4) % 4)
        let payload = le32(UInt32(bitPattern: -100)) + [UInt8](repeating: 0, count: 16)
            + le16(UInt16(4 + text.count)) + le16(1) + padded
        let reply = message(type: NLMsg.error, flags: 0x300, seq: 1, payload: payload)
        let error = RouteSession.decodeError(NetlinkMessage.parse(reply)[0], operation: "add route")
        XCTAssertEqual(error?.kernelMessage, "Nexthop device is not up")
    }
}
