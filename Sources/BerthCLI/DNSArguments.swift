import ArgumentParser
import BerthAddress
import BerthEngine

/// `network create`'s name service options: `--dns VALUE` (repeatable: `true` / `false` turn
/// it on or off, an address adds an upstream and turns it on), `--no-dns` / `--disable-dns`
/// (off) and `--dns-domain DOMAIN`.
struct DNSArguments {
    /// Whether the network gets a name service.
    var enabled = true
    /// Its upstreams, in the order given.
    var servers: [IPAddress] = []

    /// Reads the `--dns` values in order (the last toggle wins; an address turns it on);
    /// `off` is `--no-dns` or `--disable-dns`, which wins. An upstream together with DNS
    /// turned off is a contradiction, not a silent choice.
    static func parse(_ values: [String], off: Bool) throws -> DNSArguments {
        var result = DNSArguments()
        for value in values {
            switch value.lowercased() {
            case "true", "on", "yes", "1": result.enabled = true
            case "false", "off", "no", "0": result.enabled = false
            default:
                guard let address = IPAddress(value) else {
                    throw BerthError.invalidArgument("invalid --dns value '\(Validation.printable(value))': expected true, false or a name server's IP address")
                }
                try Validation.dnsServer(address)
                result.servers.append(address)
                result.enabled = true
            }
        }
        if off { result.enabled = false }
        if !result.enabled, let first = result.servers.first {
            throw BerthError.invalidArgument("--dns \(first) names an upstream, but DNS is turned off for the network")
        }
        return result
    }

    /// Applies them to `spec`, with the domain (checked, lowercased).
    func apply(to spec: inout NetworkSpec, domain: String?) throws {
        spec.dns = enabled
        spec.dnsServers = servers
        if let domain { spec.dnsDomain = try Validation.dnsDomain(domain) }
    }
}

/// `--alias NAME` (repeatable) of `network connect` and `berth run`: each checked as a DNS name
/// before anything runs.
func checkedAliases(_ aliases: [String]) throws -> [String] {
    for alias in aliases { try Validation.alias(alias) }
    return aliases
}

/// The `"dns"` member of an attachment's JSON on a network with a name service: what a
/// container's `resolv.conf` should say (the gateways, the network's domain).
func dnsJSON(_ network: NetworkInfo) -> JSONValue? {
    guard network.dns else { return nil }
    return .object([
        ("nameservers", .array(network.nameservers.map { .string("\($0)") })),
        ("search", .array([.string(network.dnsDomain)])),
    ])
}
