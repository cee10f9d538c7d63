
/// A failed nftables transaction, with libnftables' own explanation.
public struct FirewallError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { "nftables: \(message)" }
}

/// Berth's nftables adapter over libnftables (no `nft` subprocess). Each call is one atomic
/// batch: either every change lands or none does.
public final class Firewall {
    private let lib: LibNftables
    private let context: OpaquePointer

    /// Loads libnftables and creates a context with buffered output and errors.
    public init() throws {
        lib = try LibNftables.load()
        guard let context = lib.ctxNew(0) else {   // NFT_CTX_DEFAULT
            throw FirewallError(message: "cannot create libnftables context")
        }
        self.context = context
        _ = lib.bufferOutput(context)
        _ = lib.bufferError(context)
    }

    deinit { lib.ctxFree(context) }

    /// Runs an nft script as one transaction and returns what it printed.
    @discardableResult
    public func run(_ script: String) throws -> String {
        let rc = lib.runCommand(context, script)
        if rc != 0 {
            let raw = lib.getErrorBuffer(context).map { String(cString: $0) } ?? ""
            let firstLine = raw.split(separator: "\n").first.map(String.init) ?? "error \(rc)"
            throw FirewallError(message: firstLine)
        }
        return lib.getOutputBuffer(context).map { String(cString: $0) } ?? ""
    }

    /// Makes Berth's tables match `networks` and `ports` exactly (and removes them when there
    /// are no networks). Only Berth's own table: ``NftablesFirewall/synchronize(_:ports:)`` also
    /// keeps Berth's accept rule beside Docker.
    public func synchronize(_ networks: [FirewallNetwork], ports: [PortElement] = []) throws {
        try change(Ruleset.script(for: networks, ports: ports))
    }

    /// Makes Berth's tables for `networks` where none are, only adding (``Ruleset/creationScript(for:ports:)``):
    /// a first network's rules without the replace's deletions, whose freeing the command's exit
    /// would otherwise wait for. False (nothing changed) when that cannot be done: no networks,
    /// or the batch failed — a table appeared meanwhile, say — and the caller renders as usual.
    public func create(_ networks: [FirewallNetwork], ports: [PortElement] = []) -> Bool {
        guard let script = Ruleset.creationScript(for: networks, ports: ports) else { return false }
        return (try? run(script)) != nil
    }

    /// Runs a script that removes or replaces objects of the ruleset (``run(_:)``), then keeps
    /// this command's exit from waiting for the kernel to free them (``CommitRelease``).
    public func change(_ script: String) throws {
        try run(script)
        CommitRelease.afterCommit()
    }

    /// Adds published ports as map elements, in one batch: no rule changes, no read-back.
    public func publish(_ ports: [PortElement]) throws {
        guard !ports.isEmpty else { return }
        // Only additions: nf_tables frees nothing after this commit, so the exit has nothing
        // to wait for (measured: holding would cost the fork, ~1 ms, and save nothing).
        try run(Ruleset.publish(ports))
    }

    /// Removes published ports by key, in one batch. Fails (changing nothing) if one is missing.
    public func unpublish(_ ports: [PortElement]) throws {
        guard !ports.isEmpty else { return }
        try change(Ruleset.unpublish(ports))
    }
}
