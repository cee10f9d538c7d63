/// One problem `berth doctor` reports about the firewall, with the command that fixes it.
public struct FirewallFinding: Sendable, Equatable {
    /// What is wrong, in one sentence.
    public let problem: String
    /// What to run (or do) about it.
    public let fix: String

    /// A finding with its problem and fix.
    public init(problem: String, fix: String) {
        self.problem = problem
        self.fix = fix
    }
}
