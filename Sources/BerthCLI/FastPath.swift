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
        var positional: [String] = []
        var options: [String: String] = [:]
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
                guard let mapping = try? PublishArgument.parse(value) else { return nil }
                publish.append(mapping)
            } else if word.hasPrefix("-") {
                guard word.hasPrefix("--"), word.count > 2 else { return nil }
                var name = String(word.dropFirst(2))
                let value: String
                if let eq = name.firstIndex(of: "=") {
                    value = String(name[name.index(after: eq)...])
                    name = String(name[..<eq])
                } else {
                    guard i + 1 < arguments.count else { return nil }
                    value = arguments[i + 1]
                    i += 1
                }
                guard options[name] == nil else { return nil }
                options[name] = value
            } else {
                positional.append(word)
            }
            i += 1
        }
        guard positional.count == 2 else { return nil }
        let ifname = options.removeValue(forKey: "ifname") ?? "eth0"
        let stateDirectory = options.removeValue(forKey: "state-dir")
        switch arguments[1] {
        case "connect":
            var ip: IPv4Address?
            var mac: MACAddress?
            if let text = options.removeValue(forKey: "ip") {
                guard let parsed = IPv4Address(text) else { return nil }
                ip = parsed
            }
            if let text = options.removeValue(forKey: "mac") {
                guard let parsed = MACAddress(text) else { return nil }
                mac = parsed
            }
            let name = options.removeValue(forKey: "name")
            guard options.isEmpty else { return nil }
            return .connect(network: positional[0], target: positional[1], ifname: ifname, ip: ip, mac: mac,
                            name: name, publish: publish, stateDirectory: stateDirectory)
        case "disconnect":
            guard options.isEmpty, publish.isEmpty else { return nil }
            return .disconnect(network: positional[0], target: positional[1], ifname: ifname,
                               stateDirectory: stateDirectory)
        default:
            return nil
        }
    }
}

/// A hot-path command recognised by ``FastPath``.
enum HotCommand {
    case connect(network: String, target: String, ifname: String, ip: IPv4Address?, mac: MACAddress?,
                 name: String?, publish: [PortMapping], stateDirectory: String?)
    case disconnect(network: String, target: String, ifname: String, stateDirectory: String?)

    /// Runs it exactly as the swift-argument-parser command of the same name would.
    func run() throws {
        switch self {
        case let .connect(network, target, ifname, ip, mac, name, publish, stateDirectory):
            try NetworkConnect.perform(stateDirectory: stateDirectory, network: network, target: target,
                                       ifname: ifname, ip: ip, mac: mac, name: name, publish: publish)
        case let .disconnect(network, target, ifname, stateDirectory):
            try NetworkDisconnect.perform(stateDirectory: stateDirectory, network: network, target: target, ifname: ifname)
        }
    }
}
