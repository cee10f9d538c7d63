import BerthAddress
import BerthEngine
import Glibc

/// The agent's options (`berth agent [--lease-ttl S] [--vtep-address IP]`).
public struct AgentOptions: Sendable, Equatable {
    /// Seconds; peers drop this host this long after its agent stops renewing.
    public var leaseTTL: Int
    /// The address peers send to, instead of each network's VTEP as joined.
    public var vtep: IPv4Address?
    public init(leaseTTL: Int = 60, vtep: IPv4Address? = nil) {
        self.leaseTTL = leaseTTL
        self.vtep = vtep
    }
}

/// What reaches the agent's one loop: signals, the 1 s tick, and the current etcd session's
/// watch and lease events (tagged with the session, so a dead session's late events are dropped).
enum AgentInput: Sendable {
    case signal(Int32)
    case tick
    case watch(session: Int, WatchBatch)
    case watchEnded(session: Int, reason: String, compacted: Bool)
    case leaseGone(session: Int)
    case keepaliveFailed(session: Int, reason: String)
}

/// The agent (docs/overlay.md, "The agent"). All its state lives here and is touched only by
/// ``run(signals:)``'s loop, one input at a time: the tasks it starts (ticker, watch, keepalive)
/// own nothing but `Sendable` values and talk back through the input stream.
final class AgentLoop {
    let context: OverlayContext
    let options: AgentOptions
    let hostID: String
    private let inputs: AsyncStream<AgentInput>
    private let post: AsyncStream<AgentInput>.Continuation

    private var locals: [OverlayLocalNetwork] = []
    /// The etcd the agent serves (the first local overlay network's, by name).
    private var settings: OverlayEtcdSettings?
    private var registry: (any OverlayRegistryClient)?
    /// The picture of etcd; trusted only while `connected`.
    private var view = OverlayView()
    private var connected = false
    private var lease: Int64?
    private var session = 0
    private var sessionTasks: [Task<Void, Never>] = []
    private var schedule = ReconcileSchedule()
    private var backoff = Backoff()
    private var retryAt: ContinuousClock.Instant?
    private var ticks = 0
    /// Networks already warned about (different etcd), so the timer does not repeat it.
    private var warned: Set<String> = []

    init(context: OverlayContext, options: AgentOptions, hostID: String) {
        self.context = context
        self.options = options
        self.hostID = hostID
        (inputs, post) = AsyncStream<AgentInput>.makeStream()
    }

    /// Runs until SIGTERM or SIGINT. Nothing is revoked on the way out: peers drop this host
    /// when its lease expires, and the kernel's entries stay for the next agent.
    func run(signals: AsyncStream<Int32>) async {
        let post = self.post
        let forward = Task { for await s in signals { post.yield(.signal(s)) } }
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                post.yield(.tick)
            }
        }
        AgentLog.line("starting: host \(hostID), lease TTL \(options.leaseTTL)s")
        refreshLocal()
        await connect()
        schedule.note(.start)
        await runPass()
        loop: for await input in inputs {
            switch input {
            case .signal(let s) where s == SIGHUP:
                AgentLog.line("SIGHUP: resynchronising")
                schedule.note(.hangup)
            case .signal(let s):
                AgentLog.line("signal \(s): exiting (lease left to expire, kernel entries kept)")
                break loop
            case .tick:
                ticks += 1
                if !connected, settings != nil, let at = retryAt, ContinuousClock.now >= at { await connect() }
                if ticks % 5 == 0 { schedule.note(.timer) }
            case .watch(let s, let batch) where s == session:
                await apply(batch)
            case .watchEnded(let s, let reason, let compacted) where s == session:
                if compacted {
                    AgentLog.line("watch: revision compacted: listing again")
                    await connect()
                } else {
                    disconnect("watch ended: \(reason)")
                }
            case .leaseGone(let s) where s == session:
                AgentLog.line("lease \(lease.map { "\($0)" } ?? "-") is gone: granting a new one")
                lease = nil
                await connect()
            case .keepaliveFailed(let s, let reason) where s == session:
                disconnect("lease keepalive failed: \(reason)")
            default:
                break   // a previous session's late event
            }
            await runPass()
        }
        forward.cancel()
        ticker.cancel()
        for task in sessionTasks { task.cancel() }
        if let registry { await registry.shutdown() }
    }

    // MARK: etcd session

    /// (Re)connects: lists everything (never resumes a watch), keeps or replaces the lease,
    /// starts the watch after the listing's revision and the keepalive. On failure the agent
    /// stays disconnected (the kernel as it is) and retries after a backoff.
    private func connect() async {
        endSession()
        guard let settings else { return }
        do {
            let client: any OverlayRegistryClient
            if let registry { client = registry } else {
                client = try context.registry(settings)
                registry = client
            }
            view = try await client.list()
            var fresh = false
            if let lease {
                do { try await client.keepAlive(lease: lease) } catch RegistryFailure.leaseGone {
                    AgentLog.line("lease \(lease) expired meanwhile")
                    self.lease = nil
                }
            }
            if lease == nil {
                lease = try await client.grantLease(ttl: options.leaseTTL)
                fresh = true
            }
            connected = true
            backoff.reset()
            retryAt = nil
            startSession(client)
            AgentLog.line("etcd \(settings.endpoints.joined(separator: ",")): listed at revision \(view.revision), \(view.networks.count) network(s); lease \(lease!)\(fresh ? " (new)" : "")")
            schedule.note(.start)
        } catch {
            disconnect("etcd unreachable: \(error)")
        }
    }

    private func disconnect(_ reason: String) {
        endSession()
        connected = false
        let delay = backoff.delay()
        retryAt = ContinuousClock.now + .seconds(delay)
        AgentLog.line("\(reason); kernel left as it is, retrying in \(delay)s")
    }

    private func endSession() {
        session += 1
        for task in sessionTasks { task.cancel() }
        sessionTasks = []
    }

    private func startSession(_ client: any OverlayRegistryClient) {
        let session = self.session, post = self.post, revision = view.revision
        guard let lease else { return }
        let interval = max(1, options.leaseTTL / 3)
        sessionTasks.append(Task {
            do {
                for try await batch in client.watch(after: revision) { post.yield(.watch(session: session, batch)) }
                post.yield(.watchEnded(session: session, reason: "closed by etcd", compacted: false))
            } catch RegistryFailure.compacted {
                post.yield(.watchEnded(session: session, reason: "compacted", compacted: true))
            } catch {
                if !Task.isCancelled { post.yield(.watchEnded(session: session, reason: "\(error)", compacted: false)) }
            }
        })
        sessionTasks.append(Task {
            while !Task.isCancelled {
                do { try await Task.sleep(for: .seconds(interval)) } catch { return }
                do {
                    try await client.keepAlive(lease: lease)
                } catch RegistryFailure.leaseGone {
                    post.yield(.leaseGone(session: session))
                    return
                } catch {
                    if !Task.isCancelled { post.yield(.keepaliveFailed(session: session, reason: "\(error)")) }
                    return
                }
            }
        })
    }

    // MARK: events

    /// Applies watch events to the picture; a deleted definition of a local network removes
    /// the local copy (`network rm --everywhere` on some host).
    private func apply(_ batch: WatchBatch) async {
        view.revision = max(view.revision, batch.revision)
        var touched: Set<String> = []
        for change in batch.changes {
            view.apply(change)
            touched.insert(change.network)
            AgentLog.line("event: \(Self.describe(change))")
            if case .definition(let name, nil) = change, locals.contains(where: { $0.name == name }) {
                AgentLog.line("\(name): removed everywhere: removing the local network and its containers' attachments")
                do {
                    try context.engine.removeNetworks([name], force: true)
                } catch {
                    AgentLog.line("\(name): local removal failed: \(error)")
                }
                refreshLocal()
            }
        }
        if !touched.isEmpty { schedule.note(.watch(touched)) }
    }

    static func describe(_ change: OverlayView.Change) -> String {
        switch change {
        case .definition(let n, let d): return d.map { "\(n) defined (subnet \($0.subnet), vni \($0.vni))" } ?? "\(n) definition deleted"
        case .reservation(let n, let b, let r): return r.map { "\(n) \(b) reserved by \($0.host) (\($0.hostname))" } ?? "\(n) \(b) reservation deleted"
        case .peer(let n, let b, let p): return p.map { "\(n) \(b) peer \($0.host) (\($0.hostname)) vtep \($0.vtep)" } ?? "\(n) \(b) peer gone"
        }
    }

    // MARK: reconcile

    /// Reads the local overlay networks; picks the etcd to serve when there was none.
    private func refreshLocal() {
        do {
            let now = try context.engine.overlayNetworks().sorted { $0.name < $1.name }
            let before = Set(locals.map(\.name)), after = Set(now.map(\.name))
            for name in after.subtracting(before) { AgentLog.line("\(name): serving (local overlay network)") }
            for name in before.subtracting(after) { AgentLog.line("\(name): no longer local: unpublishing") }
            locals = now
        } catch {
            AgentLog.line("reading local overlay networks failed: \(error)")
        }
        // A network without etcd settings (the engine's test seam made it) is nobody's to serve.
        if settings == nil, let first = locals.first(where: { !$0.etcd.endpoints.isEmpty }) {
            settings = first.etcd
            retryAt = ContinuousClock.now
        }
    }

    /// The networks this agent serves: those on the etcd it talks to.
    private var served: [OverlayLocalNetwork] {
        locals.filter { network in
            if network.etcd == settings { return true }
            if !warned.contains(network.name) {
                warned.insert(network.name)
                AgentLog.line(network.etcd.endpoints.isEmpty
                    ? "\(network.name): has no etcd settings (made by overlay-static): not served"
                    : "\(network.name): uses another etcd (\(network.etcd.endpoints.joined(separator: ","))\(network.etcd.prefix)): not served by this agent")
            }
            return false
        }
    }

    /// One level-triggered pass: this host's peer keys made right, then each covered network's
    /// kernel entries made exactly the desired peers. Nothing while disconnected.
    private func runPass() async {
        guard let pass = schedule.take() else { return }
        if pass.refreshLocal {
            let hadSettings = settings != nil
            refreshLocal()
            if !hadSettings, settings != nil { await connect() }
        }
        guard connected, let registry, let lease else { return }
        var networks = served
        if let vtep = options.vtep { networks = networks.map { var n = $0; n.vtep = vtep; return n } }
        let plan = OwnKeys.plan(local: networks, hostID: hostID, hostname: context.hostname, view: view, republish: pass.republish)
        for line in plan.conflicts where pass.refreshLocal { AgentLog.line(line) }
        do {
            for put in plan.puts {
                do {
                    try await registry.putPeer(network: put.network, block: put.block, peer: put.peer, lease: lease)
                    // As the watch will report it: the next pass does not put it again meanwhile.
                    view.apply(.peer(network: put.network, block: put.block, put.peer))
                    AgentLog.line("\(put.network): published \(put.block) (vtep \(put.peer.vtep), \(put.peer.endpoints) endpoint(s))")
                } catch RegistryFailure.reservationLost(let why) {
                    AgentLog.line("\(put.network): not published: \(why)")
                }
            }
            for delete in plan.deletes {
                try await registry.deletePeer(network: delete.network, block: delete.block, hostID: hostID)
                view.apply(.peer(network: delete.network, block: delete.block, nil))
                AgentLog.line("\(delete.network): unpublished \(delete.block)")
            }
        } catch RegistryFailure.leaseGone {
            AgentLog.line("lease \(lease) is gone: granting a new one")
            self.lease = nil
            await connect()
            return
        } catch {
            disconnect("publishing failed: \(error)")
            return
        }
        for network in served where pass.covers(network.name) {
            // The kernel's own VTEP stays the joined one; only what peers are told changes.
            let desired = DesiredPeers.compute(for: network, hostID: hostID, in: view)
            do {
                let report = try context.engine.reconcileOverlayPeers(network: network.name, peers: desired)
                for p in report.added { AgentLog.line("\(network.name): peer \(p.block) via \(p.vtep) programmed") }
                for p in report.removed { AgentLog.line("\(network.name): peer \(p.block) via \(p.vtep) removed") }
                for f in report.failures { AgentLog.line("\(network.name): \(f)") }
            } catch {
                AgentLog.line("\(network.name): reconcile failed: \(error)")
            }
        }
    }
}
