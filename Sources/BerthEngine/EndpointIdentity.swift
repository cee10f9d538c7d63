import BerthAddress
import BerthStore

/// The names of an endpoint, fixed before an attach starts so that the kernel and the store can
/// work on it at the same time: its id (minted here, whatever the runtime calls the
/// container), its host veth's name and MAC (both derived from the id) and the container's MAC.
struct EndpointIdentity {
    let id: String
    let hostIfname: String
    let hostMAC: MACAddress
    let mac: MACAddress

    /// A fresh id; the MAC is `requested`, else locally administered and derived from the id.
    init(mac requested: MACAddress?) {
        id = Store.randomID()
        hostIfname = "bv" + String(id.prefix(12))
        hostMAC = EndpointIdentity.hostMAC(ofEndpoint: id)
        mac = requested ?? MACAddress(locallyAdministeredFrom: Hex.decode(id) ?? randomUInt64())
    }

    /// The MAC of an endpoint's host veth: locally administered, derived from the endpoint id
    /// (differently from the container's), so results can report it without asking the kernel.
    static func hostMAC(ofEndpoint id: String) -> MACAddress {
        MACAddress(locallyAdministeredFrom: ~(Hex.decode(id) ?? 0))
    }
}
