import BerthJSON
import BerthEngine
import Glibc

/// Berth as a CNI plugin: the same `berth` binary, run with `CNI_COMMAND` in its environment.
///
/// It only translates: environment and stdin JSON in, engine calls, result or error JSON out.
/// One state and one engine with the CLI, so `berth endpoints` shows CNI attachments.
public enum CNIPlugin {
    /// Reads the environment and stdin, runs the command, prints the result or the error object
    /// on stdout (logs go to stderr), and exits: 0 on success, 1 on error.
    public static func main() -> Never {
        PhaseTrace.mark("cni: process start to main")
        let env = CNIEnvironment.fromProcess()
        let input = readStandardInput()
        let outcome = run(env, input)
        if !outcome.output.isEmpty { writeAll(1, outcome.output + "\n") }
        if let error = outcome.error {
            writeAll(2, "berth (CNI \(Validation.printable(env.command))): \(error.description.replacingNewlines())\n")
        }
        exit(outcome.error == nil ? 0 : 1)
    }

    /// What one invocation produced: stdout text, and the error if it failed.
    public struct Outcome: Sendable {
        public var output: String
        public var error: CNIError?
    }

    /// Runs one command without touching stdin/stdout (the unit tests call this directly).
    public static func run(_ env: CNIEnvironment, _ input: [UInt8]) -> Outcome {
        if env.command == CNIEnvironment.Command.version.rawValue {
            return Outcome(output: versionReply(input), error: nil)
        }
        var version = CNIVersion.latest
        do {
            let command = try env.parsedCommand()
            // An ADD's store opens on a second thread while the configuration is decoded and
            // checked, unless the configuration may name a state directory of its own (rare).
            // Unused when the ADD fails before it attaches: the thread then just ends.
            let early = command == .add && !mentionsStateDirectory(input) ? Engine(settings: .fromEnvironment()) : nil
            early?.warmUp()
            let config = try decode(input)
            PhaseTrace.mark("cni: read and decode stdin")
            // Report errors in the caller's version whenever it is one we speak.
            if let v = config.cniVersion, CNIVersion.isSupported(v) { version = v }
            // The warm engine only if the configuration names no other directory (the byte
            // search above misses a key written with escapes).
            let settings = EngineSettings.fromEnvironment(configured: config.stateDir)
            let engine = early.flatMap { $0.settings.stateDirectory == settings.stateDirectory ? $0 : nil }
                ?? Engine(settings: settings)
            defer { engine.close() }
            let output = try Commands(env: env, config: config, version: try config.requireVersion(),
                                      engine: engine).run(command)
            return Outcome(output: output, error: nil)
        } catch {
            let e = CNIError.from(error)
            return Outcome(output: e.json(cniVersion: version), error: e)
        }
    }

    /// True when the raw configuration contains `"stateDir"` anywhere: only then can the state
    /// directory differ from the one the environment (or the default) names.
    static func mentionsStateDirectory(_ input: [UInt8]) -> Bool {
        let key = Array("\"stateDir\"".utf8)
        guard input.count >= key.count else { return false }
        for start in 0...(input.count - key.count) where input[start] == key[0] {
            if input[start..<(start + key.count)].elementsEqual(key) { return true }
        }
        return false
    }

    /// VERSION never fails: it answers in the requested version when Berth speaks it, else in
    /// the latest, and needs no valid input at all.
    static func versionReply(_ input: [UInt8]) -> String {
        var version = CNIVersion.latest
        if let requested = requestedVersion(input), CNIVersion.isSupported(requested) {
            version = requested
        }
        let w = JSONWriter()
        w.object {
            w.field("cniVersion", version)
            w.array("supportedVersions") { for v in CNIVersion.supported { w.string(v) } }
        }
        return w.text
    }

    /// The configuration, or code 6 with the decoder's reason.
    static func decode(_ input: [UInt8]) throws -> CNIConfig {
        guard input.count <= maximumConfigurationBytes else {
            throw CNIError(.decodingFailure, "network configuration is larger than \(maximumConfigurationBytes >> 20) MiB")
        }
        guard input.contains(where: { $0 > 0x20 }) else {
            throw CNIError(.decodingFailure, "no network configuration on stdin")
        }
        do {
            return try CNIConfig(json: input)
        } catch {
            throw CNIError(.decodingFailure, "cannot decode network configuration", details: "\(error)")
        }
    }

    /// The largest network configuration read: real ones are a few KiB (a `prevResult` with
    /// many interfaces stays far below); more is refused unread rather than held in memory.
    static let maximumConfigurationBytes = 1 << 20

    /// Standard input up to one byte past ``maximumConfigurationBytes`` (so ``decode(_:)`` can
    /// tell an oversized configuration without reading all of it).
    private static func readStandardInput() -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)   // one page: configurations are small
        while bytes.count <= maximumConfigurationBytes {
            let n = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if n > 0 { bytes.append(contentsOf: chunk[0..<n]); continue }
            if n < 0 && errno == EINTR { continue }
            return bytes
        }
        return bytes
    }

    private static func writeAll(_ fd: Int32, _ text: String) {
        TextOutput.writeAll(text, to: fd)
    }
}

extension String {
    func replacingNewlines() -> String { String(map { $0 == "\n" ? " " : $0 }) }
}
