import BerthAddress
import BerthEngine

/// Translation of what a runtime asks for one container: static addresses and MAC, published
/// ports, and GC's keep-list. Checked against the network's families before the engine is called.
extension CNIConfig {
    /// The static addresses asked for, at most one per family: `runtimeConfig.ips`, else
    /// `args.cni.ips`, else CNI_ARGS `IP`. An address of a family the network lacks is code 7.
    /// The network's families are those `spec` states, else `known` (the existing network's),
    /// else unknown: then the engine checks the addresses against the network.
    func staticAddresses(_ envArgs: CNIArgs, network spec: NetworkSpec,
                         families known: Set<IPFamily>? = nil) throws -> StaticAddresses {
        var requested = StaticAddresses(ipv4: envArgs.ip, ipv6: envArgs.ip6)
        if let list = runtimeConfig?.ips, !list.isEmpty {
            requested = try StaticAddresses(parsing: list, source: "runtimeConfig.ips", code: .invalidConfig)
        } else if let list = args?.cni?.ips, !list.isEmpty {
            requested = try StaticAddresses(parsing: list, source: "args.cni.ips", code: .invalidConfig)
        }
        guard let families = Self.families(of: spec) ?? known else { return requested }
        for address in requested.all where !families.contains(address.family) {
            throw CNIError(.invalidConfig, "requested IP \(address): network '\(spec.name)' has no \(address.family) range")
        }
        return requested
    }

    /// The static MAC asked for: `runtimeConfig.mac`, else `args.cni.mac`, else CNI_ARGS `MAC`.
    func staticMAC(_ envArgs: CNIArgs) throws -> MACAddress? {
        guard let text = runtimeConfig?.mac ?? args?.cni?.mac else { return envArgs.mac }
        guard let m = MACAddress(text) else {
            throw CNIError(.invalidConfig, "requested MAC '\(Validation.printable(text))' is not a MAC address")
        }
        return m
    }

    /// `runtimeConfig.portMappings` as engine port mappings; anything malformed is code 7.
    ///
    /// `hostIP` empty or missing is every address of every family the network has; `0.0.0.0`
    /// every IPv4 address, `::` every IPv6 address. A mapping for a family the network lacks is
    /// dropped when the request maps the same host port to the same container port for the
    /// network's family too (runtimes send `0.0.0.0` and `::` twins whatever the network), and
    /// refused otherwise: a port the user asked for would silently not be published.
    func portMappings(network spec: NetworkSpec, families known: Set<IPFamily>? = nil) throws -> [PortMapping] {
        var requested: [PortMapping] = []
        for p in runtimeConfig?.portMappings ?? [] {
            guard (1...65535).contains(p.hostPort), (1...65535).contains(p.containerPort) else {
                throw CNIError(.invalidConfig, "port mapping \(p.hostPort):\(p.containerPort) is out of range 1-65535")
            }
            let protoText = (p.protocol ?? "tcp").lowercased()
            guard let proto = TransportProtocol(rawValue: protoText.isEmpty ? "tcp" : protoText) else {
                throw CNIError(.unsupportedField, "port mapping protocol '\(Validation.printable(protoText))' is not supported")
            }
            var hostIP: IPAddress?
            if let text = p.hostIP, !text.isEmpty {
                let bare = text.hasPrefix("[") && text.hasSuffix("]") ? String(text.dropFirst().dropLast()) : text
                guard let a = IPAddress(bare) else {
                    throw CNIError(.invalidConfig, "port mapping hostIP '\(Validation.printable(text))' is not an address")
                }
                hostIP = a
            }
            requested.append(PortMapping(hostIP: hostIP, hostPort: UInt16(p.hostPort), containerPort: UInt16(p.containerPort), proto: proto))
        }
        guard let families = Self.families(of: spec) ?? known else { return requested }
        return try requested.filter { p in
            guard let family = p.hostIP?.family, !families.contains(family) else { return true }
            let twin = requested.contains {
                $0.hostPort == p.hostPort && $0.containerPort == p.containerPort && $0.proto == p.proto
                    && families.contains(where: $0.covers)
            }
            guard twin else {
                throw CNIError(.invalidConfig, "port mapping \(p): network '\(spec.name)' has no \(family) range",
                               details: "publish on an address of the network's family, or on every address (hostIP empty)")
            }
            return false
        }
    }

    /// Whether the request asks for something of one address family (a static address, a port
    /// on one family's address), which only the network's families can validate.
    func asksForOneFamily(_ envArgs: CNIArgs) -> Bool {
        envArgs.ip != nil || envArgs.ip6 != nil || !(runtimeConfig?.ips ?? []).isEmpty || !(args?.cni?.ips ?? []).isEmpty
            || (runtimeConfig?.portMappings ?? []).contains { !($0.hostIP ?? "").isEmpty }
    }

    /// The container's aliases on network `name` (the `aliases` capability), each a DNS name
    /// (code 7 otherwise).
    func aliases(network name: String) throws -> [String] {
        let list = runtimeConfig?.aliases?[name] ?? []
        for alias in list {
            do { try Validation.alias(alias) } catch { throw CNIError(.invalidConfig, "runtimeConfig.aliases: \(error)") }
        }
        return list
    }

    /// The GC keep-list: `cni.dev/valid-attachments`, or the older `cni.dev/attachments`.
    func gcKeepList() throws -> [(containerID: String, ifname: String)] {
        guard let list = validAttachments ?? attachments else {
            throw CNIError(.invalidConfig, "GC needs cni.dev/valid-attachments")
        }
        return list.map { ($0.containerID, $0.ifname) }
    }
}

/// Static addresses a runtime asks for: at most one per family.
public struct StaticAddresses: Sendable, Equatable {
    public var ipv4: IPv4Address?
    public var ipv6: IPv6Address?

    public init(ipv4: IPv4Address? = nil, ipv6: IPv6Address? = nil) {
        self.ipv4 = ipv4
        self.ipv6 = ipv6
    }

    /// Parses `ADDRESS` or `ADDRESS/PREFIX` entries (the prefix is the network's in any case);
    /// an entry that is neither, or a second address of one family, is an error with `code`
    /// naming `source`.
    init(parsing entries: [String], source: String, code: CNIError.Code) throws {
        for text in entries {
            let slash = text.firstIndex(of: "/")
            let address = IPAddress(text[..<(slash ?? text.endIndex)])
            let withPrefix: Bool
            switch address {
            case .v4: withPrefix = slash == nil || IPv4Interface(text) != nil
            case .v6: withPrefix = slash == nil || IPv6Interface(text) != nil
            case nil: withPrefix = false
            }
            guard let address, withPrefix else {
                throw CNIError(code, "\(source): '\(Validation.printable(text))' is not an IPv4 or IPv6 address")
            }
            if let earlier = all.first(where: { $0.family == address.family }) {
                throw CNIError(code, "\(source): \(earlier) and \(address) are both \(address.family)",
                               details: "berth gives a container one address per family")
            }
            switch address {
            case .v4(let a): ipv4 = a
            case .v6(let a): ipv6 = a
            }
        }
    }

    /// The addresses asked for, IPv4 first.
    var all: [IPAddress] { [ipv4.map(IPAddress.v4), ipv6.map(IPAddress.v6)].compactMap { $0 } }
}
