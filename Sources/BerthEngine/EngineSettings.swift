import BerthIPAM
import Glibc

/// Where an engine keeps its state and what it may choose from, defined once for every front
/// end: the state directory's precedence and `BERTH_POOLS`.
public struct EngineSettings: Sendable {
    /// Where the SQLite store, its lock and the network hints live.
    public var stateDirectory: String
    /// The `BERTH_POOLS` text (`CIDR:PREFIX,…`), parsed only when a subnet is chosen: every
    /// other command, connect above all, starts without it.
    public var poolList: String?
    /// The resolver configuration whose nameservers subnets must not hide.
    public var resolvConfPath: String

    /// The state directory used when nothing names one.
    public static let defaultStateDirectory = "/var/lib/berth"

    public init(stateDirectory: String, poolList: String? = nil, resolvConfPath: String = "/etc/resolv.conf") {
        self.stateDirectory = stateDirectory
        self.poolList = poolList
        self.resolvConfPath = resolvConfPath
    }

    /// The settings for this process. The state directory is, first to last: `explicit` (the
    /// CLI's `--state-dir`), `BERTH_STATE_DIR`, `configured` (a CNI configuration's
    /// `stateDir`), then ``defaultStateDirectory``. Pools come from `BERTH_POOLS`.
    public static func fromEnvironment(explicit: String? = nil, configured: String? = nil) -> EngineSettings {
        EngineSettings(stateDirectory: stateDirectory(explicit: explicit, configured: configured),
                       poolList: environment("BERTH_POOLS"))
    }

    /// The state directory alone, by the precedence of ``fromEnvironment(explicit:configured:)``.
    public static func stateDirectory(explicit: String? = nil, configured: String? = nil) -> String {
        if let explicit { return explicit }
        if let value = environment("BERTH_STATE_DIR") { return value }
        if let configured, !configured.isEmpty { return configured }
        return defaultStateDirectory
    }

    /// The pools in effect: ``poolList`` parsed, else the defaults.
    func pools() throws -> [AddressPool] {
        guard let poolList else { return AddressPool.defaults }
        do {
            return try AddressPool.parseList(poolList)
        } catch {
            throw BerthError.environment("BERTH_POOLS: \(error)")
        }
    }

    /// The path of the store's database file.
    var databasePath: String {
        stateDirectory.hasSuffix("/") ? stateDirectory + "berth.db" : stateDirectory + "/berth.db"
    }

    private static func environment(_ name: String) -> String? {
        guard let value = getenv(name), value.pointee != 0 else { return nil }
        return String(cString: value)
    }
}
