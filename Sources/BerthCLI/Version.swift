/// Berth's release version: the one place it is written down. `berth --version` prints it, and
/// the man page and completions generated from the binary (`make`) carry the flag with it.
public enum BerthVersion {
    /// Semantic version of this source tree; bump it when cutting a release.
    public static let current = "0.1.0"
}
