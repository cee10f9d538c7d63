/// netavark's command line, as Podman writes it:
/// `netavark [--config DIR] [--rootless BOOL] [-a|--aardvark-binary PATH] [-f|--file FILE] COMMAND …`.
/// Options take their value as the next argument or after `=`; they come before the command.
struct Arguments: Equatable, Sendable {
    /// What to do.
    enum Command: Equatable, Sendable {
        /// Attach the container whose namespace is at the path.
        case setup(namespace: String)
        /// Detach it (the namespace may be gone).
        case teardown(namespace: String)
        /// Print the version as JSON.
        case version
        /// Print `netavark <version>`.
        case versionLine
        /// Set a network's upstream name servers (none: clear them).
        case update(network: String, dnsServers: [String])
    }

    /// Podman's network configuration directory: accepted, unused (Berth keeps its own state).
    var config: String?
    /// Whether Podman runs rootless (refused when true: Berth needs root).
    var rootless: Bool = false
    /// aardvark-dns's path: accepted, unused (berth-dns serves names).
    var aardvarkBinary: String?
    /// Where the network options are read from; nil for stdin.
    var file: String?
    var command: Command

    /// Parses the arguments after the program name.
    init(parsing words: [String]) throws {
        var config: String?, rootless: String?, aardvark: String?, file: String?
        var i = 0
        // Global options, up to the command.
        while i < words.count, words[i].hasPrefix("-"), words[i] != "--version" {
            let word = words[i]
            let (name, inline) = Arguments.split(word)
            func value() throws -> String {
                if let inline { return inline }
                guard i + 1 < words.count else { throw NetavarkError("option \(name) needs a value") }
                i += 1
                return words[i]
            }
            switch name {
            case "-c", "--config": config = try value()
            case "-r", "--rootless": rootless = try value()
            case "-a", "--aardvark-binary": aardvark = try value()
            case "-f", "--file": file = try value()
            default: throw NetavarkError("unknown option \(Arguments.printable(name))")
            }
            i += 1
        }
        self.config = config
        self.aardvarkBinary = aardvark
        self.file = file
        if let rootless {
            switch rootless {
            case "true": self.rootless = true
            case "false": self.rootless = false
            default: throw NetavarkError("--rootless takes true or false, not \(Arguments.printable(rootless))")
            }
        }
        guard i < words.count else { throw NetavarkError("no command given (setup, teardown, update or version)") }
        let verb = words[i]
        let rest = Array(words[(i + 1)...])
        switch verb {
        case "setup", "teardown":
            guard rest.count == 1, !rest[0].hasPrefix("-") else {
                throw NetavarkError("\(verb) takes one argument: the path of the container's network namespace")
            }
            command = verb == "setup" ? .setup(namespace: rest[0]) : .teardown(namespace: rest[0])
        case "version":
            guard rest.isEmpty else { throw NetavarkError("version takes no arguments") }
            command = .version
        case "--version":
            guard rest.isEmpty else { throw NetavarkError("--version takes no arguments") }
            command = .versionLine
        case "update":
            command = try Arguments.update(rest)
        default:
            throw NetavarkError("unknown command \(Arguments.printable(verb))")
        }
    }

    /// `update NETWORK --network-dns-servers A [B…]`: the servers as separate arguments or
    /// comma-separated (Podman joins them with commas), the option repeatable; an empty value
    /// or none at all clears them.
    private static func update(_ words: [String]) throws -> Command {
        var network: String?
        var servers: [String] = []
        var sawOption = false
        var i = 0
        while i < words.count {
            let (name, inline) = split(words[i])
            if name == "--network-dns-servers" {
                sawOption = true
                if let inline { servers += commaList(inline) }
                // Every following argument that is not an option is a server.
                while i + 1 < words.count, inline == nil, !words[i + 1].hasPrefix("-") {
                    i += 1
                    servers += commaList(words[i])
                }
            } else if name.hasPrefix("-") {
                throw NetavarkError("unknown option \(printable(name)) for update")
            } else if network == nil {
                network = words[i]
            } else {
                throw NetavarkError("update takes one network, then --network-dns-servers")
            }
            i += 1
        }
        guard let network, !network.isEmpty else { throw NetavarkError("update needs the name of a network") }
        guard sawOption else { throw NetavarkError("update needs --network-dns-servers") }
        return .update(network: network, dnsServers: servers)
    }

    private static func commaList(_ text: String) -> [String] {
        text.split(separator: ",", omittingEmptySubsequences: true).map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
    }

    /// `--opt=value` as ("--opt", "value"); anything else as (word, nil). Short options take
    /// `-a=value` too (as clap does).
    static func split(_ word: String) -> (String, String?) {
        guard let eq = word.firstIndex(of: "="), word.hasPrefix("-") else { return (word, nil) }
        return (String(word[..<eq]), String(word[word.index(after: eq)...]))
    }

    /// Text from the command line, safe to put in a one-line message.
    static func printable(_ text: String) -> String {
        "\"" + String(text.prefix(200).map { $0.isASCII && ($0.asciiValue! < 0x20 || $0.asciiValue! == 0x7F) ? "?" : $0 }) + "\""
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
