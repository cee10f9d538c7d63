import BerthAddress
import BerthStore

/// The names of an endpoint, fixed before connect starts so that the kernel and the store can
/// work on it at the same time: its id, its host veth's name (derived from the id) and its MAC.
struct EndpointIdentity {
    let id: String
    let hostIfname: String
    let mac: MACAddress

    /// A fresh id; the MAC is `requested`, else locally administered and derived from the id.
    init(mac requested: MACAddress?) {
        id = Store.randomID()
        hostIfname = "bv" + String(id.prefix(12))
        mac = requested ?? MACAddress(locallyAdministeredFrom: Hex.decode(id) ?? randomUInt64())
    }
}
