import BerthAddress
import BerthStore

/// An overlay network's settings as its record keeps them (`driverOptions`, docs/overlay.md),
/// read and checked.
struct OverlayOptions: Equatable {
    var definition: OverlayDefinition
    var vtep: IPv4Address
    var mac: MACAddress
    var etcd: OverlayEtcdSettings

    enum Key {
        static let subnet = "overlay.subnet"
        static let hostPrefix = "overlay.hostPrefix"
        static let vni = "overlay.vni"
        static let port = "overlay.port"
        static let vtep = "overlay.vtep"
        static let mac = "overlay.mac"
        static let etcd = "overlay.etcd"
        static let prefix = "overlay.prefix"
        static let caCert = "overlay.cacert"
        static let cert = "overlay.cert"
        static let key = "overlay.key"
    }

    init(definition: OverlayDefinition, vtep: IPv4Address, mac: MACAddress, etcd: OverlayEtcdSettings) {
        self.definition = definition
        self.vtep = vtep
        self.mac = mac
        self.etcd = etcd
    }

    /// Reads a record's options; a missing or malformed one is named in the error.
    init(_ options: [String: String], network: String) throws {
        func value(_ key: String) throws -> String {
            guard let text = options[key] else {
                throw BerthError.state("overlay network '\(network)' lacks its option \(key)")
            }
            return text
        }
        func bad(_ key: String, _ text: String) -> BerthError {
            .state("overlay network '\(network)' has a malformed option \(key)=\(Validation.printable(text))")
        }
        let subnetText = try value(Key.subnet), prefixText = try value(Key.hostPrefix)
        let vniText = try value(Key.vni), portText = try value(Key.port)
        let vtepText = try value(Key.vtep), macText = try value(Key.mac)
        guard let subnet = IPv4Subnet(subnetText) else { throw bad(Key.subnet, subnetText) }
        guard let prefix = Int(prefixText) else { throw bad(Key.hostPrefix, prefixText) }
        guard let vni = UInt32(vniText) else { throw bad(Key.vni, vniText) }
        guard let port = UInt16(portText) else { throw bad(Key.port, portText) }
        guard let vtep = IPv4Address(vtepText) else { throw bad(Key.vtep, vtepText) }
        guard let mac = MACAddress(macText) else { throw bad(Key.mac, macText) }
        let endpoints = (options[Key.etcd] ?? "").split(separator: ",").map(String.init)
        self.init(definition: OverlayDefinition(subnet: subnet, hostPrefix: prefix, vni: vni, port: port),
                  vtep: vtep, mac: mac,
                  etcd: OverlayEtcdSettings(endpoints: endpoints, prefix: options[Key.prefix] ?? "/berth",
                                            caCert: options[Key.caCert], cert: options[Key.cert], key: options[Key.key]))
    }

    init(_ network: NetworkRecord) throws {
        try self.init(network.driverOptions, network: network.name)
    }

    /// The options as a record keeps them.
    var driverOptions: [String: String] {
        var out = [Key.subnet: "\(definition.subnet)", Key.hostPrefix: "\(definition.hostPrefix)",
                   Key.vni: "\(definition.vni)", Key.port: "\(definition.port)",
                   Key.vtep: "\(vtep)", Key.mac: "\(mac)", Key.prefix: etcd.prefix]
        if !etcd.endpoints.isEmpty { out[Key.etcd] = etcd.endpoints.joined(separator: ",") }
        if let v = etcd.caCert { out[Key.caCert] = v }
        if let v = etcd.cert { out[Key.cert] = v }
        if let v = etcd.key { out[Key.key] = v }
        return out
    }

    /// Checks a definition and a block of it; one-line errors naming the bad value.
    static func validate(_ d: OverlayDefinition, block: IPv4Subnet) throws {
        guard d.subnet.prefixLength >= 8 else {
            throw BerthError.invalidArgument("overlay subnet \(d.subnet) is too large: use /8 or smaller")
        }
        if let special = d.subnet.specialPurposeBlock {
            throw BerthError.invalidArgument("overlay subnet \(d.subnet) lies in the \(special) block: choose a private subnet")
        }
        guard d.hostPrefix > d.subnet.prefixLength, d.hostPrefix <= 30 else {
            throw BerthError.invalidArgument("host prefix /\(d.hostPrefix) does not fit overlay subnet \(d.subnet): it must be longer than /\(d.subnet.prefixLength) and at most /30")
        }
        guard (1...0xFF_FFFF).contains(d.vni) else {
            throw BerthError.invalidArgument("VNI \(d.vni) is out of range (1-16777215)")
        }
        guard d.port != 0 else { throw BerthError.invalidArgument("VXLAN port 0 is not a port") }
        guard block.prefixLength == d.hostPrefix, d.subnet.contains(block) else {
            throw BerthError.invalidArgument("block \(block) is not a /\(d.hostPrefix) of overlay subnet \(d.subnet)")
        }
    }
}
