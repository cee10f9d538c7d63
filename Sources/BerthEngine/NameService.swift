/// The container name service (`berth-dns`, docs/dns.md) as the engine sees it: told about
/// every committed change to a DNS network or its endpoints, started when it should run and is
/// not. The live one is ``DNSControlClient``; engine tests inject a fake through
/// ``EngineEnvironment``.
public protocol NameService: Sendable {
    /// The network `name` was created (or its DNS settings changed): the server binds its
    /// listeners and loads it before this returns. Starts the server if it is not running.
    /// Throws when the server refuses (`error TEXT`, e.g. port 53 taken) or cannot be started.
    func networkChanged(_ name: String) throws
    /// The network `name` was removed: best effort, never starts the server (with no DNS
    /// network left it exits on its own).
    func networkRemoved(_ name: String)
    /// The endpoint `id` became active or was removed. Starts the server if it is not running.
    /// Returns whether the server acknowledged the change in time.
    func endpointChanged(_ id: String) -> Bool
    /// The server's status line (one JSON object), or nil when it is not running.
    func status() throws -> String?
    /// Starts the server unless it runs already.
    func ensureRunning() throws
}
