import BerthDNSWire

/// A zone berth-dns is authoritative for (a domain, a network's name, a reverse zone), with its
/// SOA record built once: a negative answer then only sets the serial, instead of building
/// the SOA's names for every query.
///
/// A class of constants (so `Sendable` without a lock): a lookup copies zones around (`Found`,
/// `NameMatch`), and a reference is one retain where the struct's names and record were a
/// dozen, through the runtime's generic copy of an optional.
final class Zone: Sendable {
    /// The zone's name, as configured (the SOA's owner).
    let name: DNSName
    /// The SOA with serial 0.
    private let template: DNSResourceRecord

    init(_ name: DNSName) {
        self.name = name
        template = DNSMessage.authoritySOA(zone: name, serial: 0)
    }

    /// The zone's SOA for a snapshot of `generation` (the serial is its low 32 bits).
    func soa(generation: UInt64) -> DNSResourceRecord {
        var record = template
        if case .soa(var soa) = record.data {
            soa.serial = UInt32(truncatingIfNeeded: generation)
            record.data = .soa(soa)
        }
        return record
    }
}
