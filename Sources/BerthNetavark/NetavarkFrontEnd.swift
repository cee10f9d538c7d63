import BerthAddress
import BerthEngine
import BerthJSON
import Glibc

/// Berth as Podman's `netavark`: the same `berth` binary, run under that name (docs/podman.md).
///
/// It only translates: arguments and the network options on stdin in, engine calls, the
/// status block or `{"error": …}` out on stdout. Nothing goes to stderr at the default log
/// level: Podman folds it into its own output.
public enum NetavarkFrontEnd {
    /// Whether the program name (argv[0]) is `netavark`, whatever directory it was run from.
    /// On C strings, so the CLI pays no allocation for asking.
    public static func isInvoked(as argv0: UnsafePointer<CChar>?) -> Bool {
        guard let argv0 else { return false }
        let base = strrchr(argv0, Int32(UInt8(ascii: "/"))).map { UnsafePointer($0 + 1) } ?? argv0
        return strcmp(base, "netavark") == 0
    }

    /// Runs the command named by the process's arguments, prints its output and exits: 0 on
    /// success, 1 on error. `version` is Berth's release version.
    public static func main(version: String) -> Never {
        if !notesWanted(getenv("RUST_LOG").map { String(cString: $0) }) { silenceStandardError() }
        PhaseTrace.mark("netavark: process start to main")
        let words = Array(CommandLine.arguments.dropFirst())
        let outcome = run(words, version: version)
        if !outcome.output.isEmpty { TextOutput.writeAll(outcome.output + "\n", to: 1) }
        exit(outcome.failed ? 1 : 0)
    }

    /// What one invocation printed on stdout, and whether it failed.
    struct Outcome: Equatable {
        var output: String
        var failed: Bool
    }

    /// Runs one invocation against the live engine (stdin read only when the command needs it).
    static func run(_ words: [String], version: String) -> Outcome {
        do {
            let arguments = try Arguments(parsing: words)
            if arguments.rootless {
                throw NetavarkError("rootless mode is not supported: Berth's netavark runs as root")
            }
            switch arguments.command {
            case .version:
                return Outcome(output: versionJSON(version), failed: false)
            case .versionLine:
                return Outcome(output: "netavark \(version)", failed: false)
            case .update(let network, let servers):
                let addresses = try servers.map { text in
                    guard let a = IPAddress(text) else { throw NetavarkError("DNS server \(Arguments.printable(text)) is not an IP address") }
                    return a
                }
                let engine = Engine(settings: .fromEnvironment())
                defer { engine.close() }
                try engine.setDNSServers(network: network, addresses)
                return Outcome(output: "", failed: false)
            case .setup(let namespace):
                // The store opens on a second thread while the options are read and checked
                // (started on the other CPU: see ``SecondThread``).
                let engine = Engine(settings: .fromEnvironment())
                engine.warmUp()
                defer { engine.close() }
                PhaseTrace.mark("netavark: arguments, engine")
                let options = try NetworkOptions(json: readInput(arguments.file))
                PhaseTrace.mark("netavark: read and decode options")
                var notes: [String] = []
                let setup = try Translation.setup(options, namespace: namespace, ipv6Available: HostIPv6.isEnabled, notes: &notes)
                PhaseTrace.mark("netavark: translate")
                // On stderr, which is /dev/null unless RUST_LOG lets notes out.
                for note in notes { TextOutput.writeAll("berth: note: \(note)\n", to: 2) }
                let attachments = try engine.podmanSetup(setup)
                PhaseTrace.mark("netavark: setup")
                let output = StatusBlock.json(attachments.map { (network: $0.network.name, block: StatusBlock($0)) })
                PhaseTrace.mark("netavark: status block")
                return Outcome(output: output, failed: false)
            case .teardown(let namespace):
                // No warm-up (as a CNI DEL): the store is the teardown's first need, so a thread
                // opening it would overlap only the decoding, less than it costs to start one.
                let engine = Engine(settings: .fromEnvironment())
                defer { engine.close() }
                PhaseTrace.mark("netavark: arguments, engine")
                let options = try NetworkOptions(json: readInput(arguments.file))
                PhaseTrace.mark("netavark: read and decode options")
                try engine.podmanTeardown(Translation.teardown(options, namespace: namespace))
                PhaseTrace.mark("netavark: teardown")
                return Outcome(output: "", failed: false)
            }
        } catch {
            return Outcome(output: NetavarkError.from(error).json, failed: true)
        }
    }

    /// `version`: netavark's JSON fields.
    static func versionJSON(_ version: String) -> String {
        let w = JSONWriter(style: .pretty)
        w.object {
            w.field("version", version)
            w.field("commit", "unknown")
            w.field("build_time", "unknown")
            w.field("target", target)
        }
        return w.text
    }

    /// The Rust-style target triple netavark reports.
    static var target: String {
        #if arch(x86_64)
        return "x86_64-unknown-linux-gnu"
        #elseif arch(arm64)
        return "aarch64-unknown-linux-gnu"
        #else
        return "unknown-linux-gnu"
        #endif
    }

    /// Whether `RUST_LOG` (Podman sets it from its own log level) lets notes through: at
    /// `info`, `debug` or `trace`. Podman's default, `warning`, does not.
    static func notesWanted(_ level: String?) -> Bool {
        guard let level = level?.lowercased() else { return false }
        return level.contains("info") || level.contains("debug") || level.contains("trace")
    }

    /// Points stderr at /dev/null: the engine's notes (and anything else) stay out of Podman's
    /// output. Children the engine starts (berth-dns) set their own stderr.
    private static func silenceStandardError() {
        let null = open("/dev/null", O_WRONLY | O_CLOEXEC)
        guard null >= 0 else { return }
        _ = dup2(null, 2)
        close(null)
    }

    /// The largest options document read: real ones are a few KiB.
    static let maximumInputBytes = 4 << 20

    /// The network options: from `file`, else stdin.
    private static func readInput(_ file: String?) throws -> [UInt8] {
        var fd: Int32 = 0
        if let file {
            fd = open(file, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw NetavarkError("cannot open \(Arguments.printable(file)): \(String(cString: strerror(errno)))") }
        }
        defer { if fd != 0 { close(fd) } }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while bytes.count <= maximumInputBytes {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 { bytes.append(contentsOf: chunk[0..<n]); continue }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw NetavarkError("cannot read the network options: \(String(cString: strerror(errno)))") }
            break
        }
        guard bytes.count <= maximumInputBytes else { throw NetavarkError("the network options are larger than 4 MiB") }
        guard bytes.contains(where: { $0 > 0x20 }) else { throw NetavarkError("no network options on stdin") }
        return bytes
    }
}
