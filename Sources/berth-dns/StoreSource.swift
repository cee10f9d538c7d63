import BerthAddress
import BerthDNSCore
import BerthStore

/// Everything berth-dns reads from the store, in one place: the schema v6 records mapped to the
/// name service's entries (docs/dns.md "Store"). Used only by the control thread, which owns the
/// connection (a `Store` is not shared across threads).
final class StoreSource {
    private let store: Store
    /// The database file, watched so that the server exits when the state directory is removed.
    let databasePath: String

    /// Opens the store in `directory` read-only in spirit: no migration (an older or newer
    /// schema fails the open rather than being changed under the running front ends).
    init(directory: String) throws {
        store = try Store(directory: directory, migrating: false)
        databasePath = store.path
    }

    /// Every DNS network.
    func networks() throws -> [DNSNetworkEntry] {
        try store.dnsNetworks().map(Self.entry)
    }

    /// The DNS network `name`; nil when it is gone or has no name service.
    func network(named name: String) throws -> DNSNetworkEntry? {
        guard let record = try store.network(named: name), record.dns else { return nil }
        return Self.entry(record)
    }

    /// Every active endpoint on a DNS network.
    func endpoints() throws -> [DNSEndpointEntry] {
        try store.dnsEndpoints().map(Self.entry)
    }

    /// The active endpoints of network `name` (the caller knows it is a DNS network).
    func endpoints(network name: String) throws -> [DNSEndpointEntry] {
        try store.endpoints(network: name).filter { $0.state == .active }.map(Self.entry)
    }

    /// The endpoint `id` when it is active; nil when it is gone or not (yet, or any more) active.
    /// Whether its network has a name service is the caller's question (the snapshot knows).
    func endpoint(id: String) throws -> DNSEndpointEntry? {
        guard let record = try store.endpoint(id: id), record.state == .active else { return nil }
        return Self.entry(record)
    }

    /// `PRAGMA data_version`: changes when another connection commits (the safety-net poll).
    func dataVersion() throws -> Int64 { try store.dataVersion() }

    private static func entry(_ n: NetworkRecord) -> DNSNetworkEntry {
        DNSNetworkEntry(name: n.name, domain: n.dnsDomain, isInternal: n.isInternal, upstreams: n.dnsServers,
                        subnet: n.subnet, gateway: n.gateway, subnet6: n.subnet6, gateway6: n.gateway6)
    }

    private static func entry(_ e: EndpointRecord) -> DNSEndpointEntry {
        DNSEndpointEntry(id: e.id, network: e.network,
                         container: DNSContainerKey(device: e.netnsDevice, inode: e.netnsInode),
                         name: e.dnsName, aliases: e.aliases, address: e.address, address6: e.address6)
    }
}
