import ArgumentParser
import BerthEngine
import BerthJSON
import Glibc

/// `berth dns …`: the container name service.
struct DNSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dns", abstract: "The name service of DNS networks (berth-dns).",
        subcommands: [DNSStatus.self])
}

/// `berth dns status [--format json]`: what the running server says of itself.
struct DNSStatus: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the name service's process, listeners, names and counters.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "Output format (json: the server's status object as it sent it).") var format: OutputFormat = .table

    func run() throws {
        guard let status = try global.withEngine({ try $0.nameServiceStatus() }) else {
            var line = "berth: the name service is not running\n"
            line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
            throw CommandExit(status: 1)
        }
        switch format {
        case .json: print(status)
        case .table:
            guard case .object(let object)? = try? JSONParser.parse(Array(status.utf8)) else {
                throw BerthError.system("the name service sent a status that is not a JSON object: \(Validation.printable(status))")
            }
            for line in DNSStatusText.lines(object) { print(line) }
        }
    }
}

/// The status object as text: one `key: value` line per fact, listeners and counters folded.
enum DNSStatusText {
    static func lines(_ status: JSONObject) -> [String] {
        func number(_ node: JSONNode?) -> String {
            if case .number(let n)? = node { return n == n.rounded() && abs(n) < 1e15 ? "\(Int64(n))" : "\(n)" }
            return "-"
        }
        var lines = ["pid:        \(number(status["pid"]))",
                     "generation: \(number(status["generation"]))"]
        if case .number? = status["started"] { lines.append("started:    \(number(status["started"])) (unix time)") }
        var listeners: [String] = []
        if case .array(let items)? = status["listeners"] {
            for case .object(let l) in items {
                var address = "?"
                if case .string(let a)? = l["address"] { address = a.contains(":") ? "[\(a)]" : a }
                var network = "?"
                if case .string(let n)? = l["network"] { network = n }
                listeners.append("\(address):\(number(l["port"])) (\(network))")
            }
        }
        lines.append("listeners:  " + (listeners.isEmpty ? "none" : listeners.joined(separator: ", ")))
        lines.append("names:      \(number(status["names"]))")
        if case .object(let counters)? = status["counters"] {
            lines.append("counters:   " + counters.members.map { "\($0.name) \(number($0.value))" }.joined(separator: ", "))
        }
        return lines
    }
}
