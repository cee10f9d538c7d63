@testable import BerthEngine
import BerthFirewall
import BerthTestSupport
import Glibc

/// What a SIGKILL at a fault point would leave: the state directory's files as they were at
/// that instant (the database, its WAL — frames of a transaction not yet committed are ignored
/// when the next process recovers it — and the network hints), the kernel and the firewall.
struct CrashImage: Sendable {
    let point: FaultPoint
    /// A copy of the state directory (the caller removes it).
    let directory: TemporaryDirectory
    let kernel: FakeKernel
    let rules: [FirewallKind: FakeFirewall.Rules]

    /// Copies `stateDirectory` now.
    init(point: FaultPoint, stateDirectory: String, kernel: FakeKernel, rules: [FirewallKind: FakeFirewall.Rules]) {
        self.point = point
        self.kernel = kernel
        self.rules = rules
        directory = TemporaryDirectory(prefix: "berth-crash")
        // Not the -shm index (rebuilt from the WAL on open) nor the lock file (a dead process
        // holds no lock).
        for name in ["berth.db", "berth.db-wal"] {
            CrashImage.copy(stateDirectory + "/" + name, to: directory.path + "/" + name)
        }
        let hints = NetworkHint.hintsFolder(directory: stateDirectory)
        if let names = DirectoryEntries.names(hints) {
            let copied = NetworkHint.hintsFolder(directory: directory.path)
            mkdir(copied, 0o700)
            for name in names { CrashImage.copy(hints + "/" + name, to: copied + "/" + name) }
        }
    }

    /// Copies a file's bytes (nothing when it does not exist).
    private static func copy(_ source: String, to destination: String) {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { return }
        defer { close(input) }
        let output = open(destination, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        precondition(output >= 0, "cannot create \(destination)")
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            precondition(count >= 0, "cannot read \(source)")
            if count == 0 { return }
            let written = buffer.withUnsafeBytes { write(output, $0.baseAddress, count) }
            precondition(written == count, "cannot write \(destination)")
        }
    }
}
