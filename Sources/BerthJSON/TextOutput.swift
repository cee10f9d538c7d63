#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a command's output to a file descriptor, whole.
///
/// Not `print`: it boxes its arguments as `Any` and checks each against the output protocols
/// at run time, and the first such check makes the Swift runtime scan every protocol
/// conformance in the binary — tens of microseconds that every `berth` process would pay to
/// print one line of JSON.
public enum TextOutput {
    /// Writes all of `text` to `fd` (standard output by default), retrying short writes and
    /// interruptions; gives up silently on other errors (a closed pipe), like `print`.
    public static func writeAll(_ text: String, to fd: Int32 = 1) {
        var text = text
        text.withUTF8 { buffer in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let n = write(fd, base + offset, buffer.count - offset)
                if n < 0 { if errno == EINTR { continue }; return }
                offset += n
            }
        }
    }
}
