import CNftables

/// A failed nftables transaction, with libnftables' own explanation.
public struct FirewallError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { "nftables: \(message)" }
}

/// Berth's nftables adapter over libnftables (no `nft` subprocess). Each call is one atomic
/// batch: either every change lands or none does.
public final class Firewall {
    private let context: OpaquePointer

    /// Creates a libnftables context with buffered output and errors.
    public init() throws {
        guard let context = nft_ctx_new(UInt32(NFT_CTX_DEFAULT)) else {
            throw FirewallError(message: "cannot create libnftables context")
        }
        self.context = context
        _ = nft_ctx_buffer_output(context)
        _ = nft_ctx_buffer_error(context)
    }

    deinit { nft_ctx_free(context) }

    /// Runs an nft script as one transaction and returns what it printed.
    @discardableResult
    public func run(_ script: String) throws -> String {
        let rc = nft_run_cmd_from_buffer(context, script)
        if rc != 0 {
            let raw = nft_ctx_get_error_buffer(context).map { String(cString: $0) } ?? ""
            let firstLine = raw.split(separator: "\n").first.map(String.init) ?? "error \(rc)"
            throw FirewallError(message: firstLine)
        }
        return nft_ctx_get_output_buffer(context).map { String(cString: $0) } ?? ""
    }

    /// Makes Berth's table match `networks` exactly (and removes it when there are none).
    public func synchronize(_ networks: [FirewallNetwork]) throws {
        try run(Ruleset.script(for: networks))
    }

    /// True when Berth's table exists.
    public func tableExists() -> Bool {
        (try? run("list table \(Ruleset.family) \(Ruleset.table)")) != nil
    }
}
