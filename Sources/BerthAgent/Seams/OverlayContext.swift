import BerthEngine
import Glibc

/// What the overlay commands and the agent run against: the engine, a way to reach etcd, the
/// state directory and this host's name. Tests build one over fakes.
public struct OverlayContext: Sendable {
    public var engine: any OverlayEngineAccess
    public var registry: RegistryFactory
    public var stateDirectory: String
    public var hostname: String

    public init(engine: any OverlayEngineAccess, registry: @escaping RegistryFactory, stateDirectory: String, hostname: String) {
        self.engine = engine
        self.registry = registry
        self.stateDirectory = stateDirectory
        self.hostname = hostname
    }

    /// The live context for a `--state-dir` flag (nil: `BERTH_STATE_DIR` or the default).
    public static func live(stateDirectory explicit: String?) -> OverlayContext {
        let settings = EngineSettings.fromEnvironment(explicit: explicit)
        return OverlayContext(engine: LiveEngine(settings: settings), registry: liveRegistryFactory,
                              stateDirectory: settings.stateDirectory, hostname: currentHostname())
    }

    /// This host's name (`gethostname`), "unknown" if it has none.
    public static func currentHostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "unknown" : name
    }
}

extension OverlayContext {
    /// Runs `body` with a registry client for `settings`, and shuts the client down after.
    public func withRegistry<T>(_ settings: OverlayEtcdSettings, _ body: (any OverlayRegistryClient) async throws -> T) async throws -> T {
        let client = try registry(settings)
        do {
            let value = try await body(client)
            await client.shutdown()
            return value
        } catch {
            await client.shutdown()
            throw error
        }
    }
}
