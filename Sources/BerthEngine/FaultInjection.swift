import Glibc

/// Test-only crash points. When `BERTH_FAULT` names a point, the process kills itself with
/// SIGKILL when it reaches it — the harshest crash there is: no cleanup, no atexit, no unwind.
/// Tests use it to prove that every state a crash can leave behind is tolerated by the next
/// command and repaired by `berth gc`.
public enum FaultPoint: String, CaseIterable, Sendable {
    // connect
    case connectAfterReserve = "connect:after-reserve"
    case connectAfterVeth = "connect:after-veth"
    case connectAfterAddress = "connect:after-address"
    case connectBeforeActive = "connect:before-active"
    // disconnect
    case disconnectAfterMark = "disconnect:after-mark"
    case disconnectAfterVeth = "disconnect:after-veth"
    /// A detach that took the veth out of service and has not yet released its records.
    case disconnectAfterRetire = "disconnect:after-retire"
    /// In the detached child that deletes a retired veth, before it does.
    case disconnectBeforeDelete = "disconnect:before-delete"
    // network create
    case createAfterBridge = "create:after-bridge"
    case createAfterFirewall = "create:after-firewall"
    // network rm
    case removeAfterEndpoints = "rm:after-endpoints"
    case removeAfterRecord = "rm:after-record"
    /// In the detached child that deletes a removed network's retired bridge, before it does.
    case removeBeforeBridgeDelete = "rm:before-bridge-delete"

    private static let armed: String? = getenv("BERTH_FAULT").map { String(cString: $0) }

    /// Dies here if this point is armed (`BERTH_FAULT=POINT`), or stalls here for two seconds
    /// with `BERTH_FAULT=POINT@pause` (so a test can signal a command in the middle of a step).
    func reach() {
        guard let armed = FaultPoint.armed, armed.hasPrefix(rawValue) else { return }
        if armed == rawValue { kill(getpid(), SIGKILL) }
        if armed == rawValue + "@pause" { sleep(2) }
    }
}
