/// The untrusted-input surface of the CNI front end in one call, for the fuzz package (Fuzz/):
/// decodes `config` as a network configuration the way ADD does, runs every translation of it
/// into engine requests, and parses `args` as `CNI_ARGS`. Errors are the expected outcome for
/// bad input; a crash or trap is a bug. Touches nothing outside the process.
public enum CNIFuzzing {
    public static func parse(config: [UInt8], args: String) {
        _ = try? CNIArgs(parsing: args)
        guard let parsed = try? CNIConfig(json: config) else { return }
        _ = try? parsed.requireVersion()
        _ = try? parsed.requireName()
        let spec = try? parsed.networkSpec()
        let envArgs = (try? CNIArgs(parsing: args)) ?? CNIArgs()
        if let spec {
            _ = try? parsed.staticAddresses(envArgs, network: spec)
            _ = try? parsed.portMappings(network: spec)
        }
        _ = try? parsed.staticMAC(envArgs)
        _ = try? parsed.gcKeepList()
    }
}
