import BerthAddress
import BerthNetlink
import BerthStore
import Glibc

/// Removing a network's bridge without waiting for the kernel's grace periods.
///
/// Deleting a bridge costs its caller 30–50 ms (kernel 6.18, 2 vCPUs), nearly all of it in the
/// waits `netdev_run_todo` makes once RTNL is dropped, as for a veth (see
/// BridgeDriver+Detach.swift). Podman's teardown of a network's last container removes the
/// network, so every `podman stop` of the last container paid it, as did `berth network rm`.
/// So, once the network's record and rules are gone, the bridge is
///
/// 1. taken out of the way with one batch of cheap requests: its gateway addresses deleted (a
///    network made again at once, with the same gateway, finds it free, and the later deletion
///    touches no address another device holds), down (its routes go) and renamed to
///    ``retiredName(ofNetworkID:)``, so the network's bridge name is free;
/// 2. deleted by a detached child (``DetachedChild``) holding the operation lock until it is
///    gone, so `berth gc` never races it.
///
/// The bridge keeps its alias (`berth:<network id>`): if the child dies, `berth gc` deletes it as
/// the bridge of a removed network. If any request of step 1 fails (an address someone removed,
/// the retired name taken), or the process has other threads (an attach rolling back on its
/// second thread, berth-agent), the bridge is deleted at once, as before.
extension BridgeDriver {
    /// The name a removed network's bridge carries until its deletion: `bx` and the first 13 hex
    /// digits of the network id. Nil for an id Berth did not mint (such a bridge is deleted at once).
    static func retiredName(ofNetworkID id: String) -> String? {
        guard id.utf8.count == 16, Hex.decode(id) != nil else { return nil }
        return "bx" + id.prefix(13)
    }

    func remove(_ network: NetworkRecord, handingDeletionTo lock: OperationLock) throws {
        let session = try host()
        if let group = Self.vethGroup(ofNetworkID: network.id) { _ = try session.deleteLinks(group: group) }
        guard let bridge = try session.link(name: network.bridge) else { return }
        // Another network's by now (a create that took the name once this one's record was gone).
        if let alias = bridge.alias, alias.hasPrefix(Self.aliasPrefix), alias != Self.aliasPrefix + network.id { return }
        // Only a process of one thread forks (`network rm`, Podman's teardown): not an attach
        // rolling back on its second thread, nor berth-agent (see ``DetachedChild``).
        guard bridge.kind == "bridge", bridge.alias == Self.aliasPrefix + network.id,
              let retired = Self.retiredName(ofNetworkID: network.id), DetachedChild.threadCount() == 1,
              (try? session.execute(Self.retirement(of: network, index: bridge.index, name: retired))) != nil else {
            // By index: a half-applied retirement may have renamed it already. Gone meanwhile
            // (a create freeing its gateway, a second rm) is as good as deleted.
            do { try session.deleteLink(index: bridge.index) } catch let e as NetlinkError where e.errno == ENODEV {}
            return
        }
        let started = DetachedChild.start(keeping: lock.descriptor, lowPriority: false) {
            FaultPoint.removeBeforeBridgeDelete.reach()
            _ = try? RouteSession().deleteLink(name: retired)
        }
        if !started { _ = try session.deleteLink(name: retired) }
    }

    /// Step 1 above, in order: the gateway addresses, down, the retired name.
    static func retirement(of network: NetworkRecord, index: Int32, name: String) -> [(NetlinkRequest, String)] {
        var requests: [(NetlinkRequest, String)] = []
        if let subnet = network.subnet, let gateway = network.gateway {
            requests.append((RouteRequests.deleteAddress(IPv4Interface(address: gateway, prefixLength: subnet.prefixLength), index: index),
                             "delete gateway \(gateway) of \(network.bridge)"))
        }
        if let subnet = network.subnet6, let gateway = network.gateway6 {
            requests.append((RouteRequests.deleteAddress(IPv6Interface(address: gateway, prefixLength: subnet.prefixLength), index: index),
                             "delete gateway \(gateway) of \(network.bridge)"))
        }
        requests.append((RouteRequests.setLinkDown(index: index), "set \(network.bridge) down"))
        requests.append((RouteRequests.rename(index: index, to: name), "rename \(network.bridge) to \(name)"))
        return requests
    }
}
