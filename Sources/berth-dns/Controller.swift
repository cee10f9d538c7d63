import BerthAddress
import BerthDNSCore
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Applies changes: reads the store (blocking SQLite, on the control thread), makes the next
/// snapshot, installs it on the event loop and waits until it is installed, binds or closes
/// listeners. All changes go through here, one at a time, so the reply to a request means the
/// next query sees the change (docs/dns.md "Control socket").
final class Controller {
    private let source: StoreSource
    private let loop: EventLoop
    private let state: NIOLoopBound<ServerState>
    let listeners: Listeners
    private(set) var snapshot = DNSSnapshot.empty
    private var generation: UInt64 = 0
    private var dataVersion: Int64?
    let started: Int64

    init(source: StoreSource, loop: EventLoop, state: NIOLoopBound<ServerState>, started: Int64) {
        self.source = source
        self.loop = loop
        self.state = state
        self.started = started
        listeners = Listeners(loop: loop, state: state)
    }

    /// No DNS network is left: the server's work is done.
    var isFinished: Bool { snapshot.networks.isEmpty }

    /// Answers one control request (one datagram's text).
    func handle(_ request: String) -> String {
        let words = request.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        let argument = words.count > 1 ? words[1].trimmingCharacters() : ""
        do {
            switch words.first {
            case "network" where !argument.isEmpty: return try network(named: argument)
            case "endpoint" where !argument.isEmpty: return try endpoint(id: argument)
            case "sync": return try sync()
            case "status": return "ok " + status()
            default: return "error unknown request '\(request.trimmingCharacters())'"
            }
        } catch {
            log("\(request.trimmingCharacters()): \(error)")
            return "error \(error)"
        }
    }

    /// Reloads everything; binds the listeners of every DNS network, closes the others'.
    /// Returns the listeners' errors.
    @discardableResult
    func sync() throws -> String {
        let version = try source.dataVersion()
        let networks = try source.networks()
        let endpoints = try source.endpoints()
        generation += 1
        try install(DNSSnapshot(generation: generation, networks: networks, endpoints: endpoints))
        dataVersion = version
        listeners.retain(networks: Set(networks.map(\.name)))
        let errors = networks.flatMap { listeners.reconcile($0) }
        return errors.isEmpty ? "ok \(generation)" : "error " + errors.joined(separator: "; ")
    }

    private func network(named name: String) throws -> String {
        let version = try source.dataVersion()
        generation += 1
        guard let network = try source.network(named: name) else {
            try install(snapshot.updating(network: nil, named: name, generation: generation))
            dataVersion = version
            listeners.remove(network: name)
            return "ok \(generation)"
        }
        // The network's endpoints again, from a clean slate: removing the network drops them.
        var next = snapshot.updating(network: nil, named: name, generation: generation)
        next = next.updating(network: network, named: name, generation: generation)
        for endpoint in try source.endpoints(network: name) {
            next = next.updating(endpoint: endpoint, id: endpoint.id, generation: generation)
        }
        // Installed before the listeners exist, so their first query finds the names.
        try install(next)
        dataVersion = version
        let errors = listeners.reconcile(network)
        return errors.isEmpty ? "ok \(generation)" : "error " + errors.joined(separator: "; ")
    }

    private func endpoint(id: String) throws -> String {
        let version = try source.dataVersion()
        var endpoint = try source.endpoint(id: id)
        if let e = endpoint, snapshot.networks[e.network] == nil { endpoint = nil }
        generation += 1
        try install(snapshot.updating(endpoint: endpoint, id: id, generation: generation))
        dataVersion = version
        return "ok \(generation)"
    }

    /// The safety net: a full reload when another connection committed since the last read
    /// without telling the server (a front end that could not reach it, or a crash).
    func pollStore() {
        do {
            let version = try source.dataVersion()
            guard version != dataVersion else { return }
            // Not logged: every command's deferred WAL checkpoint commits too (it rewrites the
            // user version to start the WAL over), so most of these reloads find nothing new.
            try sync()
        } catch {
            log("store poll: \(error)")
        }
    }

    private func install(_ next: DNSSnapshot) throws {
        let state = self.state
        try loop.submit { state.value.install(next) }.wait()
        snapshot = next
    }

    /// The one-line JSON of `berth dns status`.
    func status() -> String {
        let state = self.state
        let counters = (try? loop.submit { state.value.counters }.wait()) ?? Counters()
        let listenerText = listeners.all.map {
            "{\"network\":\(jsonString($0.network)),\"address\":\"\($0.address)\",\"port\":\(Listeners.port)}"
        }.joined(separator: ",")
        let c = counters
        return "{\"pid\":\(getpid()),\"generation\":\(snapshot.generation),\"started\":\(started),"
            + "\"listeners\":[\(listenerText)],\"names\":\(snapshot.nameCount),"
            + "\"counters\":{\"queries\":\(c.queries),\"local\":\(c.local),\"forwarded\":\(c.forwarded),"
            + "\"refused\":\(c.refused),\"nxdomain\":\(c.nxdomain),\"servfail\":\(c.servfail),\"tcp\":\(c.tcp),"
            + "\"truncated\":\(c.truncated),\"dropped\":\(c.dropped)}}"
    }
}

/// A JSON string literal (network names are plain, but quote them properly anyway).
func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case _ where scalar.value < 0x20:
            let hex = String(scalar.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

extension StringProtocol {
    /// Without surrounding spaces, tabs and line ends.
    func trimmingCharacters() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\0" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
