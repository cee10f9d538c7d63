import Glibc
import Synchronization

/// Optional timing of a command's phases, printed to stderr when `BERTH_TRACE=1`.
/// Used to find where the milliseconds of an attach go; costs one getenv when off.
public enum PhaseTrace {
    static let enabled = getenv("BERTH_TRACE") != nil
    /// The previous mark's time (an atomic: the attach's second thread may trace too).
    private static let last = Atomic<Int64>(now())

    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// Records the time since the previous mark under `label`.
    public static func mark(_ label: StaticString) {
        guard enabled else { return }
        let t = now()
        print(label, micros: (t - last.exchange(t, ordering: .relaxed)) / 1000)
    }

    /// Records the time since `start` under `label`, leaving the marks alone: for work on a
    /// second thread, timed while the first one goes on.
    static func report(_ label: StaticString, since start: Int64) {
        guard enabled else { return }
        print(label, micros: (now() - start) / 1000)
    }

    private static func print(_ label: StaticString, micros: Int64) {
        var line = "trace: \(micros) us \(label)\n"
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }
}
