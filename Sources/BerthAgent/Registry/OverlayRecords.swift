import BerthAddress
import BerthJSON

/// A network's definition as etcd holds it at `P/overlay/N/config`:
/// `{"subnet":"10.240.0.0/16","hostPrefix":24,"vni":4096,"port":4789}`.
public struct OverlayConfig: Sendable, Equatable {
    public var subnet: IPv4Subnet
    public var hostPrefix: Int
    public var vni: UInt32
    public var port: UInt16

    public init(subnet: IPv4Subnet, hostPrefix: Int, vni: UInt32, port: UInt16) {
        self.subnet = subnet
        self.hostPrefix = hostPrefix
        self.vni = vni
        self.port = port
    }

    /// The stored JSON.
    public var json: String {
        let w = JSONWriter()
        w.object {
            w.field("subnet", subnet.description)
            w.field("hostPrefix", hostPrefix)
            w.field("vni", Int(vni))
            w.field("port", Int(port))
        }
        return w.text
    }

    /// Reads the stored JSON.
    public init(json: String) throws {
        let o = try RecordJSON.object(json)
        guard let subnet = IPv4Subnet(try RecordJSON.string(o, "subnet")) else { throw RecordJSON.bad("subnet") }
        self.subnet = subnet
        hostPrefix = try RecordJSON.int(o, "hostPrefix", in: 1...32)
        vni = UInt32(try RecordJSON.int(o, "vni", in: 1...0xFF_FFFF))
        port = UInt16(try RecordJSON.int(o, "port", in: 1...65535))
        // A definition written by hand (or by a broken client) must not make block arithmetic trap.
        guard hostPrefix > subnet.prefixLength, hostPrefix <= 30 else { throw RecordJSON.bad("hostPrefix") }
    }

    /// The blocks of `subnet` hosts lease, lowest first.
    public var blockCount: Int { 1 << (hostPrefix - subnet.prefixLength) }
    public func block(_ index: Int) -> IPv4Subnet {
        IPv4Subnet(address: IPv4Address(subnet.network.value &+ UInt32(index) << UInt32(32 - hostPrefix)), prefixLength: hostPrefix)
    }
}

/// `P/overlay/N/reservations/B`: which host holds block B, `{"host":"<hostID>","hostname":"…"}`.
public struct OverlayReservation: Sendable, Equatable {
    public var block: IPv4Subnet
    public var host: String
    public var hostname: String

    public init(block: IPv4Subnet, host: String, hostname: String) {
        self.block = block
        self.host = host
        self.hostname = hostname
    }

    /// The stored JSON (the block is the key).
    public var json: String {
        let w = JSONWriter()
        w.object { w.field("host", host); w.field("hostname", hostname) }
        return w.text
    }

    public init(block: IPv4Subnet, json: String) throws {
        let o = try RecordJSON.object(json)
        self.block = block
        host = try RecordJSON.string(o, "host")
        hostname = (try? RecordJSON.string(o, "hostname")) ?? ""
    }
}

/// `P/overlay/N/peers/B`: a live host's VXLAN endpoint,
/// `{"host":"…","hostname":"…","vtep":"198.51.100.11","mac":"02:…","endpoints":3}`.
public struct OverlayPeerRecord: Sendable, Equatable {
    public var host: String
    public var hostname: String
    public var vtep: IPv4Address
    public var mac: MACAddress
    /// How many containers the host has on the network (informational).
    public var endpoints: Int

    public init(host: String, hostname: String, vtep: IPv4Address, mac: MACAddress, endpoints: Int) {
        self.host = host
        self.hostname = hostname
        self.vtep = vtep
        self.mac = mac
        self.endpoints = endpoints
    }

    public var json: String {
        let w = JSONWriter()
        w.object {
            w.field("host", host)
            w.field("hostname", hostname)
            w.field("vtep", vtep.description)
            w.field("mac", mac.description)
            w.field("endpoints", endpoints)
        }
        return w.text
    }

    public init(json: String) throws {
        let o = try RecordJSON.object(json)
        host = try RecordJSON.string(o, "host")
        hostname = (try? RecordJSON.string(o, "hostname")) ?? ""
        guard let vtep = IPv4Address(try RecordJSON.string(o, "vtep")) else { throw RecordJSON.bad("vtep") }
        guard let mac = MACAddress(try RecordJSON.string(o, "mac")) else { throw RecordJSON.bad("mac") }
        self.vtep = vtep
        self.mac = mac
        endpoints = (try? RecordJSON.int(o, "endpoints", in: 0...Int.max)) ?? 0
    }
}

/// Reading the small JSON records above; errors name the field (the caller adds the key).
enum RecordJSON {
    struct Bad: Error, CustomStringConvertible { var description: String }

    static func bad(_ field: String) -> Bad { Bad(description: "bad or missing \(field)") }

    static func object(_ text: String) throws -> JSONObject {
        guard case .object(let o)? = try? JSONParser.parse(Array(text.utf8)) else { throw Bad(description: "not a JSON object") }
        return o
    }

    static func string(_ o: JSONObject, _ name: String) throws -> String {
        guard case .string(let s)? = o[name] else { throw bad(name) }
        return s
    }

    static func int(_ o: JSONObject, _ name: String, in range: ClosedRange<Int>) throws -> Int {
        guard case .number(let d)? = o[name], let v = Int(exactly: d), range.contains(v) else { throw bad(name) }
        return v
    }
}
