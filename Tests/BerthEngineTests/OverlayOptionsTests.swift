@testable import BerthEngine
import BerthAddress
import BerthFirewall
import BerthStore
import XCTest

/// An overlay network's options as its record keeps them (docs/overlay.md), their checks, the
/// device names, the peer syntax of the test seam, and the firewall view of the record.
final class OverlayOptionsTests: XCTestCase {
    private let options = OverlayOptions(
        definition: OverlayDefinition(subnet: IPv4Subnet("10.240.0.0/16")!, hostPrefix: 24, vni: 4096, port: 4789),
        vtep: IPv4Address("198.51.100.11")!, mac: MACAddress("02:11:22:33:44:55")!,
        etcd: OverlayEtcdSettings(endpoints: ["http://198.51.100.100:2379", "http://198.51.100.101:2379"], prefix: "/berth"))

    private func record(_ driverOptions: [String: String]) -> NetworkRecord {
        NetworkRecord(name: "ov", id: "0123456789abcdef", bridge: "bo0123456789ab",
                      subnet: IPv4Subnet("10.240.3.0/24"), gateway: IPv4Address("10.240.3.1"), ipRange: nil, mtu: 1450,
                      isInternal: false, masquerade: true, labels: [:], created: 0, driver: "overlay", firewall: "nftables",
                      driverOptions: driverOptions)
    }

    func testOptionsRoundTripThroughTheRecordsKeys() throws {
        let stored = options.driverOptions
        XCTAssertEqual(stored["overlay.subnet"], "10.240.0.0/16")
        XCTAssertEqual(stored["overlay.hostPrefix"], "24")
        XCTAssertEqual(stored["overlay.vni"], "4096")
        XCTAssertEqual(stored["overlay.port"], "4789")
        XCTAssertEqual(stored["overlay.vtep"], "198.51.100.11")
        XCTAssertEqual(stored["overlay.mac"], "02:11:22:33:44:55")
        XCTAssertEqual(stored["overlay.etcd"], "http://198.51.100.100:2379,http://198.51.100.101:2379")
        XCTAssertEqual(stored["overlay.prefix"], "/berth")
        XCTAssertNil(stored["overlay.cacert"])
        XCTAssertEqual(try OverlayOptions(record(stored)), options)
    }

    func testAMissingOrMalformedOptionIsNamed() {
        var stored = options.driverOptions
        stored["overlay.vni"] = nil
        XCTAssertThrowsError(try OverlayOptions(record(stored))) {
            XCTAssertTrue("\($0)".contains("lacks its option overlay.vni"), "\($0)")
        }
        stored = options.driverOptions
        stored["overlay.mac"] = "nope"
        XCTAssertThrowsError(try OverlayOptions(record(stored))) {
            XCTAssertTrue("\($0)".contains("malformed option overlay.mac=nope"), "\($0)")
        }
    }

    func testDefinitionsAndBlocksAreChecked() {
        func error(_ subnet: String, _ prefix: Int, _ block: String, vni: UInt32 = 4096, port: UInt16 = 4789) -> String {
            do {
                try OverlayOptions.validate(OverlayDefinition(subnet: IPv4Subnet(subnet)!, hostPrefix: prefix, vni: vni, port: port),
                                            block: IPv4Subnet(block)!)
                return ""
            } catch { return "\(error)" }
        }
        XCTAssertEqual(error("10.240.0.0/16", 24, "10.240.3.0/24"), "")
        XCTAssertTrue(error("10.240.0.0/16", 16, "10.240.0.0/16").contains("host prefix /16 does not fit"))
        XCTAssertTrue(error("10.240.0.0/16", 31, "10.240.0.0/31").contains("at most /30"))
        XCTAssertTrue(error("10.240.0.0/16", 24, "10.241.3.0/24").contains("is not a /24 of overlay subnet 10.240.0.0/16"))
        XCTAssertTrue(error("10.240.0.0/16", 24, "10.240.3.0/25").contains("is not a /24"))
        XCTAssertTrue(error("10.240.0.0/16", 24, "10.240.3.0/24", vni: 0).contains("VNI 0 is out of range"))
        XCTAssertTrue(error("10.240.0.0/16", 24, "10.240.3.0/24", vni: 1 << 24).contains("out of range"))
        XCTAssertTrue(error("10.240.0.0/16", 24, "10.240.3.0/24", port: 0).contains("port 0"))
        XCTAssertTrue(error("127.0.0.0/16", 24, "127.0.3.0/24").contains("choose a private subnet"))
    }

    func testDeviceNamesAndPeerSyntax() {
        XCTAssertEqual(OverlayDriver.vxlanName(forNetworkID: "0123456789abcdef"), "bv0123456789ab")
        XCTAssertEqual(OverlayDriver().deviceName(forNetworkID: "0123456789abcdef"), "bo0123456789ab")
        let peer = OverlayPeer("10.240.2.0/24=198.51.100.12=02:00:00:00:00:02")
        XCTAssertEqual(peer, OverlayPeer(block: IPv4Subnet("10.240.2.0/24")!, vtep: IPv4Address("198.51.100.12")!,
                                         mac: MACAddress("02:00:00:00:00:02")!))
        XCTAssertEqual(peer?.description, "10.240.2.0/24=198.51.100.12=02:00:00:00:00:02")
        XCTAssertNil(OverlayPeer("10.240.2.0/24=198.51.100.12"))
        XCTAssertNil(OverlayPeer("10.240.2.1/24=198.51.100.12=02:00:00:00:00:02"))
    }

    func testFirewallSeesTheVXLANDeviceAndTheWholeSubnet() {
        let view = FirewallNetwork(record(options.driverOptions))
        XCTAssertEqual(view.overlay, FirewallOverlay(device: "bv0123456789ab", subnet: IPv4Subnet("10.240.0.0/16")!))
        XCTAssertEqual(view.subnet, IPv4Subnet("10.240.3.0/24"))
    }

    func testGCAndDoctorGiveOverlayNetworksToTheBridgeDriverToo() {
        let bridge = NetworkRecord(name: "b", id: "1111111111111111", bridge: "berth1", subnet: IPv4Subnet("10.1.0.0/24"),
                                   gateway: nil, ipRange: nil, mtu: 0, isInternal: false, masquerade: true, labels: [:], created: 0)
        let overlay = record(options.driverOptions)
        XCTAssertEqual(Engine.networks(servedBy: "bridge", in: [bridge, overlay]).map(\.name), ["b", "ov"])
        XCTAssertEqual(Engine.networks(servedBy: "overlay", in: [bridge, overlay]).map(\.name), ["ov"])
        XCTAssertEqual(Engine.networks(servedBy: "macvlan", in: [bridge, overlay]).map(\.name), [])
    }
}
