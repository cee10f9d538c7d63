@testable import BerthNetlink
import CBerthShim
import XCTest

/// The Swift copies of uapi constants must equal the kernel headers' values.
final class ConstantsTests: XCTestCase {
    func testMessageTypesAndFlags() {
        XCTAssertEqual(Int(RTM.newLink), Int(RTM_NEWLINK))
        XCTAssertEqual(Int(RTM.delLink), Int(RTM_DELLINK))
        XCTAssertEqual(Int(RTM.getLink), Int(RTM_GETLINK))
        XCTAssertEqual(Int(RTM.newAddr), Int(RTM_NEWADDR))
        XCTAssertEqual(Int(RTM.getAddr), Int(RTM_GETADDR))
        XCTAssertEqual(Int(RTM.newRoute), Int(RTM_NEWROUTE))
        XCTAssertEqual(Int(RTM.getRoute), Int(RTM_GETROUTE))
        XCTAssertEqual(Int(NLFlag.request), Int(NLM_F_REQUEST))
        XCTAssertEqual(Int(NLFlag.ack), Int(NLM_F_ACK))
        XCTAssertEqual(Int(NLFlag.dump), Int(NLM_F_DUMP))
        XCTAssertEqual(Int(NLFlag.create), Int(NLM_F_CREATE))
        XCTAssertEqual(Int(NLFlag.exclusive), Int(NLM_F_EXCL))
        XCTAssertEqual(Int(NLMsg.error), Int(NLMSG_ERROR))
        XCTAssertEqual(Int(NLMsg.done), Int(NLMSG_DONE))
    }

    func testAttributeNumbers() {
        XCTAssertEqual(Int(IFLA.address), Int(IFLA_ADDRESS))
        XCTAssertEqual(Int(IFLA.ifname), Int(IFLA_IFNAME))
        XCTAssertEqual(Int(IFLA.mtu), Int(IFLA_MTU))
        XCTAssertEqual(Int(IFLA.link), Int(IFLA_LINK))
        XCTAssertEqual(Int(IFLA.master), Int(IFLA_MASTER))
        XCTAssertEqual(Int(IFLA.afSpec), Int(IFLA_AF_SPEC))
        XCTAssertEqual(Int(IFLA.inet6AddrGenMode), Int(IFLA_INET6_ADDR_GEN_MODE))
        XCTAssertEqual(Int(IFLA.addrGenModeNone), Int(IN6_ADDR_GEN_MODE_NONE.rawValue))
        XCTAssertEqual(Int(IFLA.linkinfo), Int(IFLA_LINKINFO))
        XCTAssertEqual(Int(IFLA.netNsFd), Int(IFLA_NET_NS_FD))
        XCTAssertEqual(Int(IFLA.infoKind), Int(IFLA_INFO_KIND))
        XCTAssertEqual(Int(IFLA.infoData), Int(IFLA_INFO_DATA))
        XCTAssertEqual(Int(IFLA.extMask), Int(IFLA_EXT_MASK))
        XCTAssertEqual(IFLA.skipStats, UInt32(RTEXT_FILTER_SKIP_STATS))
        XCTAssertEqual(Int(IFLA.numTxQueues), Int(IFLA_NUM_TX_QUEUES))
        XCTAssertEqual(Int(IFLA.numRxQueues), Int(IFLA_NUM_RX_QUEUES))
        XCTAssertEqual(Int(vethInfoPeer), Int(VETH_INFO_PEER))
        XCTAssertEqual(Int(IFA.address), Int(IFA_ADDRESS))
        XCTAssertEqual(Int(IFA.local), Int(IFA_LOCAL))
        XCTAssertEqual(Int(IFA.broadcast), Int(IFA_BROADCAST))
        XCTAssertEqual(Int(RTA.dst), Int(RTA_DST.rawValue))
        XCTAssertEqual(Int(RTA.oif), Int(RTA_OIF.rawValue))
        XCTAssertEqual(Int(RTA.gateway), Int(RTA_GATEWAY.rawValue))
        XCTAssertEqual(Int(RTA.table), Int(RTA_TABLE.rawValue))
    }

    func testIPv6Constants() {
        XCTAssertEqual(Int(AddressFamily.inet6), Int(AF_INET6))
        XCTAssertEqual(Int(IFA.flags), Int(IFA_FLAGS))
        XCTAssertEqual(AddressFlag.noDAD, UInt32(IFA_F_NODAD))
        XCTAssertEqual(AddressFlag.dadFailed, UInt32(IFA_F_DADFAILED))
        XCTAssertEqual(AddressFlag.tentative, UInt32(IFA_F_TENTATIVE))
        XCTAssertEqual(AddressFlag.permanent, UInt32(IFA_F_PERMANENT))
        XCTAssertEqual(Int(RTA.priority), Int(RTA_PRIORITY.rawValue))
        XCTAssertEqual(Int(RTA.multipath), Int(RTA_MULTIPATH.rawValue))
        XCTAssertEqual(Int(RouteField.protocolRA), Int(RTPROT_RA))
        XCTAssertEqual(Int(RTM.delAddr), Int(RTM_DELADDR))
    }
}
