import CBerthShim
import Synchronization

/// Keeps a command's exit from waiting on nf_tables after a commit.
///
/// When the last reference to an nfnetlink socket is closed, nf_tables flushes the destruction
/// of the previous commit's objects first, which waits for an RCU grace period: 8–20 ms on a
/// small machine, paid at exit by every command whose commit removed or replaced something (a
/// network's first container renders the table anew, a port is unpublished), after all its work
/// was done. A commit that only adds (publishing a port) leaves nothing to free: no wait. Once per process, right after
/// its first commit, a child (`berth_hold_nfnetlink_sockets`) takes a share of the process's
/// nfnetlink sockets and keeps them until the process has exited, so the last close — and the
/// wait — is the child's, which nobody waits for. Sockets opened after that are not shared:
/// code that runs after a commit avoids opening new ones (see ``NftablesFirewall/health()``).
enum CommitRelease {
    private static let holding = Atomic<Bool>(false)

    /// Starts the holding child, once per process; best effort (without it the exit just waits).
    static func afterCommit() {
        guard !holding.exchange(true, ordering: .relaxed) else { return }
        // A bound: a long-lived process (a test, the agent) gets its sockets back to itself.
        _ = berth_hold_nfnetlink_sockets(2)
    }
}
