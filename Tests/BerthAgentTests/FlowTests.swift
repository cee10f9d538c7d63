import BerthAddress
import BerthEngine
import Glibc
import XCTest
@testable import BerthAgent

/// The commands and the agent over the fake engine and registry.
final class CreateFlowTests: XCTestCase {
    private func context(_ engine: FakeEngine, _ registry: FakeRegistry) -> OverlayContext {
        OverlayContext(engine: engine, registry: { _ in registry }, stateDirectory: "/nonexistent-berth-test", hostname: "h1")
    }

    private func request(_ edit: (inout OverlayCreateRequest.Options) -> Void = { _ in }) throws -> OverlayCreateRequest {
        var o = OverlayCreateRequest.Options(name: "ov")
        o.etcd = "http://198.51.100.100:2379"
        edit(&o)
        return try OverlayCreateRequest.validate(o)
    }

    func testCreateDefinesClaimsJoinsAndPrintsTheBlock() async throws {
        let engine = FakeEngine(), registry = FakeRegistry()
        let created = try await context(engine, registry).create(try request())
        XCTAssertEqual(created.network.block, IPv4Subnet("10.240.0.0/24"))
        XCTAssertEqual(created.network.vtep, IPv4Address("198.51.100.11"), "the underlay route's source")
        XCTAssertFalse(created.reclaimed)
        XCTAssertEqual(created.text.split(separator: "\n").map(String.init),
                       ["ov", "block 10.240.0.0/24 subnet 10.240.0.0/16 vni 4096 port 4789 vtep 198.51.100.11 mtu 1450"])
        // Again: the same block (re-claim), the local network as it is.
        engine.state.withLock { $0.networks = [] }
        let again = try await context(engine, registry).create(try request())
        XCTAssertTrue(again.reclaimed)
        XCTAssertEqual(again.network.block, created.network.block)
    }

    func testAFailedJoinLeavesNothing() async throws {
        let engine = FakeEngine(), registry = FakeRegistry()
        engine.state.withLock { $0.joinError = "bridge exists" }
        do {
            _ = try await context(engine, registry).create(try request())
            XCTFail("join failed")
        } catch {
            XCTAssertEqual("\(error)", "bridge exists")
        }
        let left = try await registry.list().networks["ov"]
        XCTAssertNil(left, "claim undone, definition removed")
        XCTAssertTrue(registry.calls.contains("leave ov 10.240.0.0/24"))
    }

    func testAFailedJoinKeepsAReclaimedBlockAndAnotherHostsDefinition() async throws {
        let engine = FakeEngine(), registry = FakeRegistry()
        registry.commit([.definition(network: "ov", Samples.definition),
                         .reservation(network: "ov", block: Samples.block("10.240.5.0/24"), .init(host: "aaaaaaaaaaaaaaaa", hostname: "h1"))])
        engine.state.withLock { $0.joinError = "no" }
        _ = try? await context(engine, registry).create(try request())
        let n = try await registry.list().networks["ov"]
        XCTAssertNotNil(n?.definition)
        XCTAssertEqual(n?.reservations.count, 1)
        XCTAssertFalse(registry.calls.contains { $0.hasPrefix("leave") })
    }

    func testOverlapWithALocalNetworkChangesNothing() async throws {
        let engine = FakeEngine(), registry = FakeRegistry()
        engine.state.withLock { $0.others = [("web", "bridge", IPv4Subnet("10.240.7.0/24"))] }
        do {
            _ = try await context(engine, registry).create(try request { $0.subnet = ["10.240.0.0/16"] })
            XCTFail("overlap")
        } catch {
            XCTAssertTrue("\(error)".contains("overlaps local network 'web'"), "\(error)")
        }
        XCTAssertEqual(registry.calls, [], "etcd never asked")
        // A definition stored by another host that overlaps: refused after define, and undone.
        do {
            _ = try await context(engine, registry).create(try request())
            XCTFail("overlap")
        } catch {
            XCTAssertTrue("\(error)".contains("overlaps local network 'web'"), "\(error)")
        }
        let left = try await registry.list().networks["ov"]
        XCTAssertNil(left)
    }

    func testUnreachableEtcdChangesNothing() async throws {
        let engine = FakeEngine(), registry = FakeRegistry()
        registry.state.withLock { $0.unreachable = true }
        do {
            _ = try await context(engine, registry).create(try request())
            XCTFail("unreachable")
        } catch {
            XCTAssertTrue("\(error)".contains("connection refused"))
        }
        XCTAssertEqual(try engine.overlayNetworks(), [])
    }

    func testRemoveLeavesAndEverywhereRemovesTheDefinition() async throws {
        let engine = FakeEngine(), registry = FakeRegistry()
        let ctx = context(engine, registry)
        _ = try await ctx.create(try request())
        let removed = try await ctx.remove(["ov"], force: false, everywhere: false)
        XCTAssertEqual(removed, ["ov"])
        var n = try await registry.list().networks["ov"]
        XCTAssertEqual(n?.reservations.count, 0)
        XCTAssertNotNil(n?.definition, "the network stays defined for other hosts")
        _ = try await ctx.create(try request())
        _ = try await ctx.remove(["ov"], force: true, everywhere: true)
        n = try await registry.list().networks["ov"]
        XCTAssertNil(n)
        XCTAssertEqual(engine.state.withLock { $0.removed }, ["ov", "ov"])
        do {
            _ = try await ctx.remove(["nope"], force: false, everywhere: false)
            XCTFail("missing")
        } catch {
            XCTAssertTrue("\(error)".contains("does not exist"))
        }
    }

    func testStatusOfAJoinedNetwork() async throws {
        let engine = FakeEngine(), registry = FakeRegistry()
        let ctx = context(engine, registry)
        _ = try await ctx.create(try request())
        registry.commit([.reservation(network: "ov", block: Samples.block("10.240.1.0/24"), .init(host: "b", hostname: "h2")),
                         .peer(network: "ov", block: Samples.block("10.240.1.0/24"), Samples.peer("b", vtep: "198.51.100.12"))])
        let s = try await ctx.status(network: "ov", etcd: nil)
        XCTAssertEqual(s.count, 1)
        XCTAssertEqual(s[0].hosts.map(\.kernel), [.local, .missing])
        XCTAssertEqual(s[0].hosts[1].ttl, 42)
    }
}

/// The agent's loop: list, lease, publish, reconcile; events; definition deleted; exit.
final class AgentLoopTests: XCTestCase {
    /// Waits (up to 5 s) for `condition`, polling: the loop runs on its own task.
    private func eventually(_ what: String, _ condition: () -> Bool) async {
        for _ in 0..<500 {
            if condition() { return }
            try? await Task.sleep(for: .milliseconds(10))
        }
        XCTFail("timed out waiting for \(what)")
    }

    func testAgentPublishesReconcilesFollowsEventsAndExits() async throws {
        let engine = FakeEngine(), registry = FakeRegistry()
        let local = Samples.local()
        engine.state.withLock { $0.networks = [local] }
        registry.commit([.definition(network: "ov", Samples.definition),
                         .reservation(network: "ov", block: local.block, .init(host: "aaaaaaaaaaaaaaaa", hostname: "h1")),
                         .peer(network: "ov", block: Samples.block("10.240.1.0/24"), Samples.peer("b", vtep: "198.51.100.12"))])
        let ctx = OverlayContext(engine: engine, registry: { _ in registry }, stateDirectory: "/nonexistent", hostname: "h1")
        let (signals, send) = AsyncStream<Int32>.makeStream()
        let loop = Task {
            await AgentLoop(context: ctx, options: AgentOptions(leaseTTL: 6), hostID: "aaaaaaaaaaaaaaaa").run(signals: signals)
        }
        await eventually("the first reconcile") { try! engine.programmedOverlayPeers(network: "ov").count == 1 }
        XCTAssertTrue(registry.calls.contains("grant 6"))
        XCTAssertTrue(registry.calls.contains { $0.hasPrefix("put ov 10.240.0.0/24 lease") }, "\(registry.calls)")

        // A new host joins, one leaves.
        registry.commit([.peer(network: "ov", block: Samples.block("10.240.2.0/24"), Samples.peer("c", vtep: "198.51.100.13"))])
        await eventually("the new peer") { (try? engine.programmedOverlayPeers(network: "ov").count) == 2 }
        registry.commit([.peer(network: "ov", block: Samples.block("10.240.1.0/24"), nil)])
        await eventually("the peer gone") {
            (try? engine.programmedOverlayPeers(network: "ov").map(\.block.description)) == ["10.240.2.0/24"]
        }

        // The lease lost: a new one, the key put again.
        registry.state.withLock { $0.leases = [:] }
        send.yield(SIGHUP)
        // (keepalive runs every TTL/3 = 2 s; the republish is the lease's business)
        await eventually("a new lease") { registry.calls.filter { $0.hasPrefix("grant") }.count == 2 }
        await eventually("the key put under it") { registry.calls.contains { $0.hasPrefix("put ov 10.240.0.0/24 lease 102") } }

        // Removed everywhere: the local copy goes.
        try await registry.removeEverywhere(network: "ov")
        await eventually("local removal") { engine.state.withLock { $0.removed } == ["ov"] }

        send.yield(SIGTERM)
        await loop.value
        XCTAssertFalse(registry.calls.contains { $0.hasPrefix("revoke") }, "nothing revoked on exit")
    }

    func testUnreachableEtcdLeavesTheKernelAlone() async throws {
        let engine = FakeEngine(), registry = FakeRegistry()
        engine.state.withLock { $0.networks = [Samples.local()] }
        registry.state.withLock { $0.unreachable = true }
        let ctx = OverlayContext(engine: engine, registry: { _ in registry }, stateDirectory: "/nonexistent", hostname: "h1")
        let (signals, send) = AsyncStream<Int32>.makeStream()
        let loop = Task {
            await AgentLoop(context: ctx, options: AgentOptions(leaseTTL: 6), hostID: "aaaaaaaaaaaaaaaa").run(signals: signals)
        }
        await eventually("a first attempt") { registry.calls.contains("list") }
        send.yield(SIGHUP)
        try await Task.sleep(for: .milliseconds(200))
        XCTAssertEqual(engine.state.withLock { $0.reconciles.count }, 0, "no reconcile without etcd")
        // etcd back: the retry (1 s backoff) lists and reconciles.
        registry.commit([.definition(network: "ov", Samples.definition)])
        registry.state.withLock { $0.unreachable = false }
        await eventually("reconnect") { engine.state.withLock { $0.reconciles.count } > 0 }
        send.yield(SIGINT)
        await loop.value
    }
}
