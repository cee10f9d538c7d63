@testable import BerthEngine
@testable import BerthStore
import BerthAddress
import BerthFirewall
import BerthTestSupport
import Synchronization

/// A real ``Engine`` and a real store in a temporary state directory, over fakes: the fake
/// driver's kernel, a fake firewall per ``FirewallKind`` (so a `--firewall none` network's
/// rules can be told apart from nftables'), fake namespaces, switchable privileges, and a
/// ``EngineEnvironment/reach`` that records the fault points passed and, at the one armed,
/// takes a ``CrashImage``.
///
/// Every ``engine()`` is fresh (its store not open yet), like a new `berth` process: a connect
/// from it opens the store on its second thread.
final class EngineHarness: Sendable {
    private let temporary: TemporaryDirectory
    let driver: FakeNetworkDriver
    let nftables: FakeFirewall
    let noFirewall: FakeFirewall
    let namespaces = FakeNamespaces()
    let names = FakeNameService()
    private let netAdmin = Atomic<Bool>(true)
    private let armed = Mutex<FaultPoint?>(nil)
    private let passed = Mutex<[FaultPoint]>([])
    private let images = Mutex<[CrashImage]>([])

    /// A harness on an empty state directory, or on `image` (what a crash left).
    init(recovering image: CrashImage? = nil) {
        temporary = image?.directory ?? TemporaryDirectory(prefix: "berth-engine")
        driver = FakeNetworkDriver(kernel: image?.kernel ?? FakeKernel())
        nftables = FakeFirewall(kind: .nftables, rules: image?.rules[.nftables] ?? .init())
        noFirewall = FakeFirewall(kind: .none, rules: image?.rules[.none] ?? .init())
    }

    /// The state directory.
    var stateDirectory: String { temporary.path }

    /// The environment the engines run in.
    var environment: EngineEnvironment {
        EngineEnvironment(
            makeDriver: { [driver] name in name == driver.name ? driver : nil },
            makeFirewall: { [nftables, noFirewall] kind in kind == .none ? noFirewall : nftables },
            hasNetAdmin: { [self] in netAdmin.load(ordering: .relaxed) },
            openNamespace: { [namespaces] target in try namespaces.open(target) },
            isOwnNamespace: { [namespaces] namespace in namespaces.isOwn(namespace) },
            localAddresses: { [.v4(IPv4Address(127, 0, 0, 1)), .v4(IPv4Address(192, 0, 2, 10)), .v6(IPv6Address("2001:db8::10")!)] },
            reach: { [self] point in reached(point) },
            makeNameService: { [names] _ in names })
    }

    /// A new engine on the state directory (a new process, as far as the engine can tell).
    func engine() -> Engine {
        Engine(settings: EngineSettings(stateDirectory: stateDirectory, resolvConfPath: "/nonexistent"),
               environment: environment)
    }

    /// A second connection to the store: to look at what the engine left, or to change it
    /// behind the engine's back.
    func store() throws -> Store { try Store(directory: stateDirectory) }

    /// Runs `sql` on a connection of its own (a trigger that makes the engine's writes fail).
    func execute(_ sql: String) throws { try store().db.execute(sql) }

    /// Grants or withdraws CAP_NET_ADMIN.
    func setNetAdmin(_ held: Bool) { netAdmin.store(held, ordering: .relaxed) }

    /// The fake firewall of `kind`.
    func firewall(_ kind: FirewallKind) -> FakeFirewall { kind == .none ? noFirewall : nftables }

    // MARK: fault points

    /// Takes a crash image when the engine reaches `point`.
    func arm(_ point: FaultPoint) { armed.withLock { $0 = point } }

    /// The fault points passed, in order.
    var reachedPoints: [FaultPoint] { passed.withLock { $0 } }

    /// The crash images taken.
    var crashImages: [CrashImage] { images.withLock { $0 } }

    private func reached(_ point: FaultPoint) {
        passed.withLock { $0.append(point) }
        guard armed.withLock({ $0 == point }) else { return }
        let image = CrashImage(point: point, stateDirectory: stateDirectory, kernel: driver.kernel,
                               rules: [.nftables: nftables.rules, .none: noFirewall.rules])
        images.withLock { $0.append(image) }
    }

    /// Removes the state directory and every crash image's.
    func remove() {
        for image in crashImages { image.directory.remove() }
        temporary.remove()
    }
}
