import BerthAddress
import BerthEngine

/// A direct parser for the two hot-path commands, `network connect` and `network disconnect`.
///
/// swift-argument-parser builds its argument sets by reflection, and the Swift runtime's
/// first protocol-conformance lookups scan every conformance record in the binary: together
/// several milliseconds per process, more than the whole kernel work of an attach. Runtimes
/// call these commands once per container, so they are recognised here first. Anything this
/// parser does not fully understand (help, unknown or malformed options) returns nil and goes
/// through swift-argument-parser, which stays the single definition of the CLI and of its
/// error messages.
enum FastPath {
    /// The parsed command, or nil to fall back to swift-argument-parser.
    static func parse(_ arguments: [String]) -> HotCommand? {
        guard arguments.count >= 4, arguments[0] == "network" else { return nil }
        let isConnect: Bool
        switch arguments[1] {
        case "connect": isConnect = true
        case "disconnect": isConnect = false
        default: return nil
        }
        // Plain optionals rather than a dictionary of options: a dictionary's first use costs a
        // fresh process generic-metadata set-up and a scan of the runtime's conformance records.
        var network: String?, target: String?
        var ifname: String?, stateDirectory: String?, ip: String?, ip6: String?, mac: String?, name: String?
        var publish: [PortMapping] = []
        var i = 2
        while i < arguments.count {
            let word = arguments[i]
            if word == "-p" || word == "--publish" || word.hasPrefix("--publish=") {
                // Repeatable: `-p V`, `--publish V`, `--publish=V`; anything unparsable falls back.
                let value: String
                if word.hasPrefix("--publish=") {
                    value = String(word.dropFirst("--publish=".count))
                } else {
                    guard i + 1 < arguments.count else { return nil }
                    value = arguments[i + 1]
                    i += 1
                }
                guard isConnect, let mapping = try? PublishArgument.parse(value) else { return nil }
                publish.append(mapping)
            } else if word.hasPrefix("-") {
                guard word.hasPrefix("--"), word.count > 2 else { return nil }
                var option = String(word.dropFirst(2))
                let value: String
                if let eq = option.firstIndex(of: "=") {
                    value = String(option[option.index(after: eq)...])
                    option = String(option[..<eq])
                } else {
                    guard i + 1 < arguments.count else { return nil }
                    value = arguments[i + 1]
                    i += 1
                }
                // Each option once; connect-only options on disconnect fall back (for the error).
                switch option {
                case "ifname" where ifname == nil: ifname = value
                case "state-dir" where stateDirectory == nil: stateDirectory = value
                case "ip" where isConnect && ip == nil: ip = value
                case "ip6" where isConnect && ip6 == nil: ip6 = value
                case "mac" where isConnect && mac == nil: mac = value
                case "name" where isConnect && name == nil: name = value
                default: return nil
                }
            } else if network == nil {
                network = word
            } else if target == nil {
                target = word
            } else {
                return nil
            }
            i += 1
        }
        guard let network, let target else { return nil }
        guard isConnect else {
            return .disconnect(network: network, target: target, ifname: ifname ?? "eth0",
                               stateDirectory: stateDirectory)
        }
        var address: IPv4Address?
        var address6: IPv6Address?
        var hardware: MACAddress?
        if let ip6 {
            guard let parsed = IPv6Address(ip6) else { return nil }
            address6 = parsed
        }
        if let ip {
            guard let parsed = IPv4Address(ip) else { return nil }
            address = parsed
        }
        if let mac {
            guard let parsed = MACAddress(mac) else { return nil }
            hardware = parsed
        }
        return .connect(network: network, target: target, ifname: ifname ?? "eth0", ip: address, ip6: address6, mac: hardware,
                        name: name, publish: publish, stateDirectory: stateDirectory)
    }
}

/// A hot-path command recognised by ``FastPath``.
enum HotCommand {
    case connect(network: String, target: String, ifname: String, ip: IPv4Address?, ip6: IPv6Address?, mac: MACAddress?,
                 name: String?, publish: [PortMapping], stateDirectory: String?)
    case disconnect(network: String, target: String, ifname: String, stateDirectory: String?)

    /// Runs it exactly as the swift-argument-parser command of the same name would.
    func run() throws {
        switch self {
        case let .connect(network, target, ifname, ip, ip6, mac, name, publish, stateDirectory):
            try NetworkConnect.perform(stateDirectory: stateDirectory, network: network, target: target,
                                       ifname: ifname, ip: ip, ip6: ip6, mac: mac, name: name, publish: publish)
        case let .disconnect(network, target, ifname, stateDirectory):
            try NetworkDisconnect.perform(stateDirectory: stateDirectory, network: network, target: target, ifname: ifname)
        }
    }
}
