import BerthAddress
import BerthEngine
import BerthJSON
import XCTest
@testable import BerthAgent

/// The agent's decisions, computed from values alone.
final class DesiredPeersTests: XCTestCase {
    let me = "aaaaaaaaaaaaaaaa"

    private func view(_ peers: [(String, OverlayView.Peer)], definition: OverlayDefinition? = Samples.definition) -> OverlayView {
        var v = OverlayView(revision: 7)
        if let definition { v.apply(.definition(network: "ov", definition)) }
        for (b, p) in peers { v.apply(.peer(network: "ov", block: Samples.block(b), p)) }
        return v
    }

    func testEveryOtherLiveHostSortedByBlock() {
        let v = view([("10.240.2.0/24", Samples.peer("c", vtep: "198.51.100.13")),
                      ("10.240.0.0/24", Samples.peer(me, vtep: "198.51.100.11")),
                      ("10.240.1.0/24", Samples.peer("b", vtep: "198.51.100.12"))])
        let peers = DesiredPeers.compute(for: Samples.local(), hostID: me, in: v)
        XCTAssertEqual(peers.map(\.block.description), ["10.240.1.0/24", "10.240.2.0/24"])
        XCTAssertEqual(peers.map(\.vtep.description), ["198.51.100.12", "198.51.100.13"])
    }

    func testWhatTheKernelCannotRouteIsLeftOut() {
        let v = view([("10.241.1.0/24", Samples.peer("x", vtep: "198.51.100.20")),   // outside the subnet
                      ("10.240.4.0/25", Samples.peer("y", vtep: "198.51.100.21")),   // not the host prefix
                      ("10.240.5.0/24", Samples.peer("z", vtep: "198.51.100.11")),   // our own VTEP
                      ("10.240.0.0/24", Samples.peer("w", vtep: "198.51.100.22")),   // our block, another host
                      ("10.240.6.0/24", Samples.peer("v", vtep: "198.51.100.23"))])
        XCTAssertEqual(DesiredPeers.compute(for: Samples.local(), hostID: me, in: v).map(\.block.description), ["10.240.6.0/24"])
    }

    func testNoKeysNoPeers() {
        XCTAssertEqual(DesiredPeers.compute(for: Samples.local(), hostID: me, in: OverlayView()), [])
        XCTAssertEqual(DesiredPeers.compute(for: Samples.local("other"), hostID: me,
                                            in: view([("10.240.1.0/24", Samples.peer("b", vtep: "198.51.100.12"))])), [])
    }

    func testViewDropsEmptyNetworksAndTracksDeletes() {
        var v = view([("10.240.1.0/24", Samples.peer("b", vtep: "198.51.100.12"))])
        v.apply(.peer(network: "ov", block: Samples.block("10.240.1.0/24"), nil))
        XCTAssertEqual(v.networks["ov"]?.peers.count, 0)
        v.apply(.definition(network: "ov", nil))
        XCTAssertNil(v.networks["ov"], "no keys left")
    }
}

final class OwnKeysTests: XCTestCase {
    let me = "aaaaaaaaaaaaaaaa"

    func testPutsWhatIsMissingOrDifferentAndDeletesWhatIsNoLongerLocal() {
        var v = OverlayView(revision: 3)
        v.apply(.definition(network: "ov", Samples.definition))
        v.apply(.definition(network: "gone", Samples.definition))
        v.apply(.peer(network: "gone", block: Samples.block("10.240.9.0/24"), Samples.peer(me, vtep: "198.51.100.11")))
        let local = Samples.local()
        var plan = OwnKeys.plan(local: [local], hostID: me, hostname: "h1", view: v, republish: false)
        XCTAssertEqual(plan.puts.map(\.block.description), ["10.240.0.0/24"])
        XCTAssertEqual(plan.deletes, [OwnKeys.Delete(network: "gone", block: Samples.block("10.240.9.0/24"))])
        v.apply(.peer(network: "ov", block: local.block, OwnKeys.peer(for: local, hostID: me, hostname: "h1")))
        plan = OwnKeys.plan(local: [local], hostID: me, hostname: "h1", view: v, republish: false)
        XCTAssertEqual(plan.puts, [], "already as it should be")
        plan = OwnKeys.plan(local: [local], hostID: me, hostname: "h1", view: v, republish: true)
        XCTAssertEqual(plan.puts.count, 1, "a new lease puts every key again")
    }

    func testABlockReservedByAnotherHostOrAnUndefinedNetworkIsNotPublished() {
        var v = OverlayView(revision: 3)
        v.apply(.definition(network: "ov", Samples.definition))
        v.apply(.reservation(network: "ov", block: Samples.block("10.240.0.0/24"), .init(host: "bbbb", hostname: "h2")))
        var plan = OwnKeys.plan(local: [Samples.local()], hostID: me, hostname: "h1", view: v, republish: true)
        XCTAssertEqual(plan.puts, [])
        XCTAssertEqual(plan.conflicts.count, 1)
        plan = OwnKeys.plan(local: [Samples.local()], hostID: me, hostname: "h1", view: OverlayView(), republish: true)
        XCTAssertEqual(plan.puts, [])
        XCTAssertTrue(plan.conflicts[0].contains("not defined in etcd"))
    }
}

final class ScheduleTests: XCTestCase {
    func testTriggersMergeIntoOnePass() {
        var s = ReconcileSchedule()
        XCTAssertNil(s.take())
        s.note(.watch(["a"]))
        s.note(.watch(["b"]))
        XCTAssertEqual(s.take(), ReconcilePass(refreshLocal: false, networks: ["a", "b"], republish: false))
        XCTAssertNil(s.take(), "taken")
        s.note(.watch(["a"]))
        s.note(.timer)
        XCTAssertEqual(s.take(), ReconcilePass(refreshLocal: true, networks: nil, republish: false), "the timer covers all")
        s.note(.newLease)
        s.note(.watch(["a"]))
        let pass = s.take()
        XCTAssertEqual(pass?.republish, true)
        XCTAssertEqual(pass?.covers("zzz"), true)
        s.note(.start)
        XCTAssertEqual(s.take(), ReconcilePass(refreshLocal: true, networks: nil, republish: true))
        s.note(.hangup)
        XCTAssertEqual(s.take()?.refreshLocal, true)
    }

    func testBackoffDoublesToItsCeilingAndResets() {
        var b = Backoff(initial: 1, maximum: 30)
        XCTAssertEqual((0..<7).map { _ in b.delay() }, [1, 2, 4, 8, 16, 30, 30])
        b.reset()
        XCTAssertEqual(b.delay(), 1)
    }
}

final class CreateRequestTests: XCTestCase {
    private func options(_ edit: (inout OverlayCreateRequest.Options) -> Void) -> OverlayCreateRequest.Options {
        var o = OverlayCreateRequest.Options(name: "ov")
        o.etcd = "http://198.51.100.100:2379"
        edit(&o)
        return o
    }

    private func message(_ edit: (inout OverlayCreateRequest.Options) -> Void) -> String? {
        do { _ = try OverlayCreateRequest.validate(options(edit), readable: { $0 == "/ok.pem" }); return nil } catch { return "\(error)" }
    }

    func testDefaultsAndEverythingStated() throws {
        let r = try OverlayCreateRequest.validate(options { _ in })
        XCTAssertEqual(r.stated, StatedDefinition())
        XCTAssertEqual(r.etcd, OverlayEtcdSettings(endpoints: ["http://198.51.100.100:2379"], prefix: "/berth"))
        XCTAssertNil(r.vtep)
        let full = try OverlayCreateRequest.validate(options {
            $0.etcd = "https://etcd1.example:2379,https://198.51.100.101"; $0.subnet = ["10.250.0.0/16"]; $0.hostPrefix = 26
            $0.vni = 77; $0.port = 8472; $0.vtepAddress = "198.51.100.11"; $0.etcdPrefix = "/site/"; $0.caCert = "/ok.pem"
            $0.mtu = 1400; $0.labels = ["a=b"]
        }, readable: { _ in true })
        XCTAssertEqual(full.stated, StatedDefinition(subnet: IPv4Subnet("10.250.0.0/16"), hostPrefix: 26, vni: 77, port: 8472))
        XCTAssertEqual(full.etcd.endpoints, ["https://etcd1.example:2379", "https://198.51.100.101:2379"])
        XCTAssertEqual(full.etcd.prefix, "/site")
        XCTAssertEqual(full.vtep, IPv4Address("198.51.100.11"))
        XCTAssertEqual(full.labels, ["a": "b"])
    }

    func testBadInputIsOneLineNamingTheProblem() {
        let cases: [(String, (inout OverlayCreateRequest.Options) -> Void)] = [
            ("needs --etcd", { $0.etcd = nil }),
            ("is not an etcd URL", { $0.etcd = "198.51.100.100:2379" }),
            ("is not an etcd URL", { $0.etcd = "http://198.51.100.100:99999" }),
            ("is not an etcd URL", { $0.etcd = "http://a:1," }),
            ("is not an IPv4 CIDR", { $0.subnet = ["10.240.0.1/16"] }),
            ("is not an IPv4 CIDR", { $0.subnet = ["fd00::/64"] }),
            ("too small", { $0.subnet = ["10.240.0.0/30"] }),
            ("--host-prefix 16 does not fit", { $0.subnet = ["10.240.0.0/16"]; $0.hostPrefix = 16 }),
            ("--host-prefix 31 does not fit", { $0.hostPrefix = 31 }),
            ("--vni 0 is out of range", { $0.vni = 0 }),
            ("--vni 16777216 is out of range", { $0.vni = 16_777_216 }),
            ("--port 0 is out of range", { $0.port = 0 }),
            ("not a unicast IPv4 address", { $0.vtepAddress = "224.0.0.1" }),
            ("names a host, not an address", { $0.etcd = "http://etcd.example:2379" }),
            ("--etcd-prefix", { $0.etcdPrefix = "berth" }),
            ("go together", { $0.etcd = "https://198.51.100.100:2379"; $0.cert = "/ok.pem" }),
            ("is for https://", { $0.caCert = "/ok.pem" }),
            ("cannot read the file", { $0.etcd = "https://198.51.100.100:2379"; $0.caCert = "/missing.pem" }),
            ("--mtu 10", { $0.mtu = 10 }),
            ("invalid label", { $0.labels = ["novalue"] }),
            ("invalid network name", { $0.name = "bad name" }),
            ("--driver bridge is berth's", { $0.driver = "bridge" }),
        ]
        for (expected, edit) in cases {
            let m = message(edit)
            XCTAssertNotNil(m, expected)
            XCTAssertTrue(m?.contains(expected) ?? false, "\(m ?? "nil") should say \(expected)")
            XCTAssertFalse(m?.contains("\n") ?? false)
        }
    }

    func testBlockArgumentForms() {
        XCTAssertEqual(IPv4Subnet(block: "10.240.3.0/24"), IPv4Subnet("10.240.3.0/24"))
        XCTAssertEqual(IPv4Subnet(block: "10.240.3.0-24"), IPv4Subnet("10.240.3.0/24"))
        XCTAssertNil(IPv4Subnet(block: "10.240.3.1-24"))
        XCTAssertNil(IPv4Subnet(block: "x"))
    }
}

final class StatusTests: XCTestCase {
    let me = "aaaaaaaaaaaaaaaa"

    func testHostsAndKernelStates() {
        var n = OverlayView.Network(definition: Samples.definition)
        let b0 = Samples.block("10.240.0.0/24"), b1 = Samples.block("10.240.1.0/24"), b2 = Samples.block("10.240.2.0/24")
        let b3 = Samples.block("10.240.3.0/24"), b4 = Samples.block("10.240.4.0/24")
        n.reservations = [b0: .init(host: me, hostname: "h1"), b1: .init(host: "b", hostname: "h2"),
                          b2: .init(host: "c", hostname: "h3"), b3: .init(host: "d", hostname: "h4")]
        n.peers = [b0: Samples.peer(me, vtep: "198.51.100.11"), b1: Samples.peer("b", vtep: "198.51.100.12"),
                   b2: Samples.peer("c", vtep: "198.51.100.13")]
        let programmed = [OverlayPeer(block: b1, vtep: IPv4Address("198.51.100.12")!, mac: MACAddress("02:00:00:00:00:02")!),
                          OverlayPeer(block: b3, vtep: IPv4Address("198.51.100.14")!, mac: MACAddress("02:00:00:00:00:04")!),
                          OverlayPeer(block: b4, vtep: IPv4Address("198.51.100.15")!, mac: MACAddress("02:00:00:00:00:05")!)]
        let s = OverlayStatus.build(network: "ov", seen: n, hostID: me, local: Samples.local(), programmed: programmed,
                                    ttl: [b0: 55, b1: 40, b2: 12])
        XCTAssertEqual(s.hosts.map(\.kernel), [.local, .ok, .missing, .stale, .stale])
        XCTAssertEqual(s.hosts.map(\.alive), [true, true, true, false, false])
        XCTAssertEqual(s.hosts[1].ttl, 40)
        XCTAssertNil(s.hosts[3].ttl, "reserved-only")
        XCTAssertFalse(s.converged)
        let table = s.table()
        XCTAssertTrue(table.hasPrefix("network ov  subnet 10.240.0.0/16  host-prefix /24  vni 4096  port 4789  joined here: 10.240.0.0/24\nHOST"))
        XCTAssertTrue(table.contains("reserved-only"))
        XCTAssertTrue(table.contains("10.240.2.0/24"))
        let w = JSONWriter()
        w.array { s.write(to: w) }
        XCTAssertTrue(w.text.contains(#""block":"10.240.1.0/24","vtep":"198.51.100.12","mac":"02:00:00:00:00:02","ttl":40,"alive":true,"kernel":"ok""#), w.text)
        XCTAssertTrue(w.text.contains(#""converged":false"#))
    }

    func testNotJoinedHereHasNoKernelState() {
        var n = OverlayView.Network(definition: Samples.definition)
        n.peers = [Samples.block("10.240.1.0/24"): Samples.peer("b", vtep: "198.51.100.12")]
        let s = OverlayStatus.build(network: "ov", seen: n, hostID: "zz", local: nil, programmed: [], ttl: [:])
        XCTAssertEqual(s.hosts.map(\.kernel), [.none])
        XCTAssertTrue(s.converged)
        XCTAssertTrue(s.table().contains("not joined here"))
    }
}
