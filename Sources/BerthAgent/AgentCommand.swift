/// The overlay commands and the agent: see docs/overlay.md. Placeholder until they land.
public enum BerthAgentMain {
    /// Runs the `berth-agent` executable's command line.
    public static func main() {}
}
