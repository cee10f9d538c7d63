import BerthAddress
@testable import BerthNetlink
import XCTest

/// Decoding of the kernel's IPv6 addresses and routes, with messages laid out like the kernel's
/// (see ``ReplyDecodingTests``), and the IPv6 session commands over a scripted transport.
extension ReplyDecodingTests {
    func v6(_ text: String) -> [UInt8] { IPv6Address(text)!.bytes }

    /// An RTM_NEWADDR payload: ifaddrmsg, then the attributes.
    func addressPayload(family: UInt8 = AddressFamily.inet6, prefix: UInt8 = 64, flags: UInt8 = 0,
                        scope: UInt8 = 0, index: UInt32 = 3, attrs: [UInt8]) -> [UInt8] {
        [family, prefix, flags, scope] + le32(index) + attrs
    }

    /// An RTM_NEWROUTE payload: rtmsg (family, dst length, table, protocol, type), then the attributes.
    func routePayload(family: UInt8 = AddressFamily.inet6, dstLength: UInt8, table: UInt8 = 254,
                      protocol proto: UInt8, type: UInt8 = 1, attrs: [UInt8]) -> [UInt8] {
        [family, dstLength, 0, 0, table, proto, 0, type] + le32(0) + attrs
    }

    func decode<T>(_ type: UInt16, _ payload: [UInt8], as decoder: (NetlinkMessage) -> T?) -> T? {
        decoder(NetlinkMessage.parse(message(type: type, seq: 1, payload: payload))[0])
    }

    func testIPv6AddressFlagsComeFromTheFullAttribute() throws {
        // The header holds the low byte; IFA_FLAGS (here NODAD|PERMANENT) is what counts.
        let payload = addressPayload(flags: 0x82, attrs: le16(20) + le16(IFA.address) + v6("2001:db8:1::2")
            + le16(8) + le16(IFA.flags) + le32(0x82))
        let a = try XCTUnwrap(decode(RTM.newAddr, payload, as: Address6Info.init))
        XCTAssertEqual(a.index, 3)
        XCTAssertEqual(a.address.description, "2001:db8:1::2/64")
        XCTAssertEqual(a.flags, AddressFlag.noDAD | AddressFlag.permanent)
        XCTAssertEqual(a.scope, RouteField.scopeUniverse)
        XCTAssertTrue(a.isPermanent)
        XCTAssertFalse(a.isTentative)
        XCTAssertTrue(a.isUsable)
    }

    func testIPv6AddressStates() throws {
        // Without IFA_FLAGS, the header's byte: still tentative, not usable yet.
        let tentative = try XCTUnwrap(decode(RTM.newAddr, addressPayload(flags: 0xC0, attrs: le16(20) + le16(IFA.address) + v6("fd00::5")),
                                             as: Address6Info.init))
        XCTAssertTrue(tentative.isTentative)
        XCTAssertFalse(tentative.isUsable)
        // IFA_FLAGS wins over a header that says otherwise.
        let failed = try XCTUnwrap(decode(RTM.newAddr, addressPayload(flags: 0, attrs: le16(20) + le16(IFA.address) + v6("fd00::5")
            + le16(8) + le16(IFA.flags) + le32(AddressFlag.dadFailed | AddressFlag.tentative)), as: Address6Info.init))
        XCTAssertTrue(failed.isDADFailed)
        XCTAssertFalse(failed.isUsable)
        // A link-local address: scope link.
        let linkLocal = try XCTUnwrap(decode(RTM.newAddr, addressPayload(scope: 253, attrs: le16(20) + le16(IFA.address) + v6("fe80::1")),
                                             as: Address6Info.init))
        XCTAssertEqual(linkLocal.scope, RouteField.scopeLink)
        XCTAssertTrue(linkLocal.address.address.isLinkLocal)
    }

    func testIPv6PointToPointAddressIsItsLocalEnd() throws {
        let payload = addressPayload(prefix: 128, attrs: le16(20) + le16(IFA.local) + v6("fd00::1")
            + le16(20) + le16(IFA.address) + v6("fd00::2"))
        XCTAssertEqual(decode(RTM.newAddr, payload, as: Address6Info.init)?.address.description, "fd00::1/128")
    }

    func testAddressDecodersSkipTheOtherFamily() {
        let v4 = addressPayload(family: AddressFamily.inet, prefix: 24, attrs: le16(8) + le16(IFA.address) + [10, 0, 0, 2])
        let v6Payload = addressPayload(attrs: le16(20) + le16(IFA.address) + v6("fd00::2"))
        XCTAssertNil(decode(RTM.newAddr, v4, as: Address6Info.init))
        XCTAssertNil(decode(RTM.newAddr, v6Payload, as: AddressInfo.init))
        // Nor a route message, an impossible prefix or an address of the wrong size.
        XCTAssertNil(decode(RTM.newRoute, v6Payload, as: Address6Info.init))
        XCTAssertNil(decode(RTM.newAddr, addressPayload(prefix: 129, attrs: le16(20) + le16(IFA.address) + v6("fd00::2")),
                            as: Address6Info.init))
        XCTAssertNil(decode(RTM.newAddr, addressPayload(attrs: le16(8) + le16(IFA.address) + [10, 0, 0, 2]), as: Address6Info.init))
    }

    func testIPv6DefaultRouteFromARouterAdvertisement() throws {
        let payload = routePayload(dstLength: 0, protocol: RouteField.protocolRA,
                                   attrs: le16(8) + le16(RTA.table) + le32(254)
            + le16(8) + le16(RTA.priority) + le32(1024)
            + le16(20) + le16(RTA.gateway) + v6("fe80::1")
            + le16(8) + le16(RTA.oif) + le32(2))
        let r = try XCTUnwrap(decode(RTM.newRoute, payload, as: Route6Info.init))
        XCTAssertEqual(r.destination.description, "::/0")
        XCTAssertTrue(r.isDefault)
        XCTAssertTrue(r.isFromRouterAdvertisement)
        XCTAssertEqual(r.gateway?.description, "fe80::1")
        XCTAssertEqual(r.outputIndex, 2)
        XCTAssertEqual(r.table, 254)
        XCTAssertEqual(r.metric, 1024)
        XCTAssertFalse(r.isOnLink)
    }

    func testIPv6PrefixRouteIsOnLinkAndMultipathIsNot() throws {
        let prefix = routePayload(dstLength: 64, protocol: RouteField.protocolKernel,
                                  attrs: le16(20) + le16(RTA.dst) + v6("2001:db8:1::") + le16(8) + le16(RTA.oif) + le32(4))
        let onLink = try XCTUnwrap(decode(RTM.newRoute, prefix, as: Route6Info.init))
        XCTAssertEqual(onLink.destination.description, "2001:db8:1::/64")
        XCTAssertTrue(onLink.isOnLink)
        XCTAssertFalse(onLink.isDefault)
        XCTAssertFalse(onLink.isFromRouterAdvertisement)
        XCTAssertEqual(onLink.protocol, RouteField.protocolKernel)
        // Two next hops (rtnexthop 8 bytes + RTA_GATEWAY each): no gateway or oif at the top.
        func hop(_ gw: String, _ oif: UInt32) -> [UInt8] { le16(28) + [0, 0] + le32(oif) + le16(20) + le16(RTA.gateway) + v6(gw) }
        let multipath = routePayload(dstLength: 0, protocol: RouteField.protocolBoot,
                                     attrs: le16(60) + le16(RTA.multipath) + hop("fd00::1", 2) + hop("fd00::2", 2))
        let both = try XCTUnwrap(decode(RTM.newRoute, multipath, as: Route6Info.init))
        XCTAssertTrue(both.isMultipath)
        XCTAssertNil(both.gateway)
        XCTAssertFalse(both.isOnLink)
    }

    func testRouteDecodersSkipTheOtherFamily() {
        let v4 = routePayload(family: AddressFamily.inet, dstLength: 24, protocol: 2, attrs: le16(8) + le16(RTA.dst) + [10, 1, 2, 0])
        let v6Payload = routePayload(dstLength: 0, protocol: 3, attrs: [])
        XCTAssertNil(decode(RTM.newRoute, v4, as: Route6Info.init))
        XCTAssertNil(decode(RTM.newRoute, v6Payload, as: RouteInfo.init))
        XCTAssertNil(decode(RTM.newAddr, v6Payload, as: Route6Info.init))
        XCTAssertNil(decode(RTM.newRoute, routePayload(dstLength: 129, protocol: 3, attrs: []), as: Route6Info.init))
    }

    func testIPv6DumpsAskForIPv6AndKeepOnlyIt() throws {
        let transport = ScriptedTransport()
        let session = RouteSession(transport: transport, firstSequence: 0)
        let v4 = addressPayload(family: AddressFamily.inet, prefix: 24, attrs: le16(8) + le16(IFA.address) + [10, 0, 0, 2])
        let v6Payload = addressPayload(attrs: le16(20) + le16(IFA.address) + v6("fd00::2"))
        transport.replies = [message(type: RTM.newAddr, flags: NLFlag.multi, seq: 1, payload: v4)
            + message(type: RTM.newAddr, flags: NLFlag.multi, seq: 1, payload: v6Payload)
            + message(type: NLMsg.done, flags: NLFlag.multi, seq: 1, payload: le32(0))]
        XCTAssertEqual(try session.addresses6().map(\.address.description), ["fd00::2/64"])
        transport.replies = [message(type: RTM.newRoute, flags: NLFlag.multi, seq: 2, payload: routePayload(dstLength: 0, protocol: 3, attrs: []))
            + message(type: NLMsg.done, flags: NLFlag.multi, seq: 2, payload: le32(0))]
        XCTAssertEqual(try session.routes6().map(\.isDefault), [true])
        XCTAssertEqual(transport.sent, [
            message(type: RTM.getAddr, flags: NLFlag.request | NLFlag.dump, seq: 1, payload: [10, 0, 0, 0] + le32(0)),
            message(type: RTM.getRoute, flags: NLFlag.request | NLFlag.dump, seq: 2, payload: [10] + [UInt8](repeating: 0, count: 11)),
        ])
    }

    func testIPv6SessionCommands() throws {
        let transport = ScriptedTransport()
        let session = RouteSession(transport: transport, firstSequence: 0)
        let address = try XCTUnwrap(IPv6Interface("fd00::2/64"))
        let gateway = try XCTUnwrap(IPv6Address("fd00::1"))
        transport.replies = [ack(seq: 1, errno: 0), ack(seq: 2, errno: 17)]
        try session.addAddress(address, index: 5)
        // An existing default route: EEXIST, named like the IPv4 one's, for the engine to treat alike.
        XCTAssertThrowsError(try session.addDefaultRoute(via: gateway, index: 5)) { error in
            XCTAssertEqual((error as? NetlinkError)?.alreadyExists, true)
            XCTAssertEqual((error as? NetlinkError)?.operation, "add default route via fd00::1")
        }
        XCTAssertEqual(transport.sent, [
            RouteRequests.addAddress(address, index: 5, noDAD: true).finalized(sequence: 1),
            RouteRequests.addDefaultRoute(via: gateway, index: 5).finalized(sequence: 2),
        ])
    }
}
