/// The untrusted-input surface of the netavark front end in one call, for the fuzz package
/// (Fuzz/): parses `arguments` as a command line and `options` as the network options the way
/// `setup` and `teardown` do, and runs both translations into engine requests. Errors are the
/// expected outcome for bad input; a crash or trap is a bug. Touches nothing outside the process
/// (the host's IPv6 state and default route are stand-ins).
public enum NetavarkFuzzing {
    public static func parse(options: [UInt8], arguments: [String]) {
        _ = try? Arguments(parsing: arguments)
        guard let parsed = try? NetworkOptions(json: options) else { return }
        var notes: [String] = []
        _ = try? Translation.setup(parsed, namespace: "/run/netns/fuzz", ipv6Available: { true }, notes: &notes)
        _ = Translation.teardown(parsed, namespace: "/run/netns/fuzz")
        for (_, network) in parsed.networkInfo { _ = try? Translation.spec(network, defaultParent: { "eth0" }) }
        _ = try? Translation.ports(parsed.portMappings)
    }
}
