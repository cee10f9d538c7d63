import BerthAddress
import BerthEtcd
import XCTest
@testable import BerthAgent

final class RegistryDefineTests: XCTestCase {
    func registry(_ store: RegistryFakeStore) throws -> OverlayRegistry {
        OverlayRegistry(store: store, keys: try OverlayKeys(prefix: "/berth/"))
    }

    func testCreateWithDefaultsThenJoin() async throws {
        let store = RegistryFakeStore()
        let r = try registry(store)
        let made = try await r.define(network: "ov", request: OverlayRequest())
        XCTAssertTrue(made.created)
        XCTAssertEqual(made.config, OverlayConfig(subnet: IPv4Subnet("10.240.0.0/16")!, hostPrefix: 24, vni: 4096, port: 4789))
        let stored = await store.value("/berth/overlay/ov/config")
        XCTAssertEqual(stored, #"{"subnet":"10.240.0.0/16","hostPrefix":24,"vni":4096,"port":4789}"#)
        // Another host joins stating nothing, or the same values: the stored definition.
        let joined = try await r.define(network: "ov", request: OverlayRequest(subnet: IPv4Subnet("10.240.0.0/16"), vni: 4096))
        XCTAssertFalse(joined.created)
        XCTAssertEqual(joined.config, made.config)
    }

    func testDefaultsAvoidOtherDefinitionsAndLocalSubnets() async throws {
        let store = RegistryFakeStore()
        let r = try registry(store)
        _ = try await r.define(network: "a", request: OverlayRequest())
        _ = try await r.define(network: "b", request: OverlayRequest(vni: 4097))
        let c = try await r.define(network: "c", request: OverlayRequest(), localSubnets: [IPv4Subnet("10.242.7.0/24")!])
        XCTAssertEqual(c.config.vni, 4098)
        XCTAssertEqual(c.config.subnet, IPv4Subnet("10.243.0.0/16"))   // .240, .241 taken; .242 local
    }

    func testDisagreementIsOneLineAndWritesNothing() async throws {
        let store = RegistryFakeStore()
        let r = try registry(store)
        _ = try await r.define(network: "ov", request: OverlayRequest(subnet: IPv4Subnet("10.240.0.0/16")))
        let before = await store.revision
        do {
            _ = try await r.define(network: "ov", request: OverlayRequest(subnet: IPv4Subnet("10.250.0.0/16"), hostPrefix: 26))
            XCTFail("accepted")
        } catch let e as OverlayRegistryError {
            XCTAssertEqual(e.description, "network 'ov' exists in etcd with subnet 10.240.0.0/16, host prefix /24, VNI 4096, port 4789; the command asks for subnet 10.250.0.0/16, host prefix /26")
        }
        let after = await store.revision
        XCTAssertEqual(before, after)
    }

    func testBadInputRefusedBeforeAnyWrite() async throws {
        let store = RegistryFakeStore()
        let r = try registry(store)
        let bad: [(OverlayRequest, String)] = [
            (OverlayRequest(subnet: IPv4Subnet("10.240.0.0/24"), hostPrefix: 24), "host prefix /24 does not fit subnet 10.240.0.0/24"),
            (OverlayRequest(subnet: IPv4Subnet("10.240.0.0/16"), hostPrefix: 31), "host prefix /31 does not fit"),
            (OverlayRequest(hostPrefix: 31), "must be at most 30"),
            (OverlayRequest(vni: 0), "VNI 0 is out of range"),
            (OverlayRequest(vni: 1 << 24), "out of range"),
            (OverlayRequest(port: 0), "port 0"),
        ]
        for (request, text) in bad {
            do {
                _ = try await r.define(network: "ov", request: request)
                XCTFail("accepted \(request)")
            } catch let e as OverlayRegistryError {
                XCTAssertTrue(e.description.contains(text), e.description)
                XCTAssertFalse(e.description.contains("\n"))
            }
        }
        XCTAssertThrowsError(try OverlayRequest.parseSubnet("fd00::/64")) { XCTAssertTrue("\($0)".contains("IPv4 only")) }
        XCTAssertThrowsError(try OverlayRequest.parseSubnet("10.240.0.1/16")) { XCTAssertTrue("\($0)".contains("host bits")) }
        XCTAssertThrowsError(try OverlayRequest.parseSubnet("nonsense"))
        XCTAssertEqual(try OverlayRequest.parseSubnet("10.240.0.0/16"), IPv4Subnet("10.240.0.0/16"))
        do { _ = try await r.define(network: "a/b", request: OverlayRequest()); XCTFail() } catch {}
        let keys = await store.keys
        XCTAssertEqual(keys, [])
    }

    func testStatedVNIOrSubnetClashingWithAnotherNetwork() async throws {
        let store = RegistryFakeStore()
        let r = try registry(store)
        _ = try await r.define(network: "a", request: OverlayRequest())
        do { _ = try await r.define(network: "b", request: OverlayRequest(vni: 4096)); XCTFail() } catch let e as OverlayRegistryError {
            XCTAssertEqual(e.description, "VNI 4096 is used by overlay network 'a'")
        }
        do { _ = try await r.define(network: "b", request: OverlayRequest(subnet: IPv4Subnet("10.240.128.0/17"))); XCTFail() } catch let e as OverlayRegistryError {
            XCTAssertEqual(e.description, "subnet 10.240.128.0/17 overlaps overlay network 'a' (10.240.0.0/16)")
        }
    }

    func testDefinitionRaceJoinsTheWinner() async throws {
        let store = RegistryFakeStore()
        let r = try registry(store)
        // Between our read and our txn, another host defines the network with a port we also ask for.
        await store.setBeforeTxn { n, s in
            if n == 1 { await s.set("/berth/overlay/ov/config", #"{"subnet":"10.250.0.0/16","hostPrefix":24,"vni":5000,"port":8472}"#) }
        }
        let d = try await r.define(network: "ov", request: OverlayRequest(port: 8472))
        XCTAssertFalse(d.created)
        XCTAssertEqual(d.config.vni, 5000)
        do { _ = try await r.define(network: "ov", request: OverlayRequest(port: 4789)); XCTFail() } catch let e as OverlayRegistryError {
            guard case .disagreement = e else { return XCTFail("\(e)") }
        }
    }

    func testKeysLayoutAndParsing() throws {
        let k = try OverlayKeys()
        let block = IPv4Subnet("10.240.3.0/24")!
        XCTAssertEqual(k.config("ov"), "/berth/overlay/ov/config")
        XCTAssertEqual(k.reservation("ov", block), "/berth/overlay/ov/reservations/10.240.3.0-24")
        XCTAssertEqual(k.peer("ov", block), "/berth/overlay/ov/peers/10.240.3.0-24")
        XCTAssertEqual(k.parse("/berth/overlay/ov/peers/10.240.3.0-24"), .peer(network: "ov", block: block))
        XCTAssertEqual(k.parse("/berth/overlay/ov/reservations/10.240.3.0-24"), .reservation(network: "ov", block: block))
        XCTAssertEqual(k.parse("/berth/overlay/ov/config"), .config(network: "ov"))
        XCTAssertNil(k.parse("/berth/overlay/ov/peers/junk"))
        XCTAssertNil(k.parse("/other/overlay/ov/config"))
        XCTAssertThrowsError(try OverlayKeys(prefix: "berth"))
    }
}
