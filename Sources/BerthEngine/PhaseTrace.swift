import Glibc

/// Optional timing of a command's phases, printed to stderr when `BERTH_TRACE=1`.
/// Used to find where the milliseconds of an attach go; costs one getenv when off.
public enum PhaseTrace {
    nonisolated(unsafe) static var enabled = getenv("BERTH_TRACE") != nil
    nonisolated(unsafe) static var last = now()

    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// Records the time since the previous mark under `label`.
    public static func mark(_ label: StaticString) {
        guard enabled else { return }
        let t = now()
        let micros = (t - last) / 1000
        last = t
        var line = "trace: \(micros) us \(label)\n"
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }
}
