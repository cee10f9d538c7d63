@testable import BerthEngine
import BerthAddress

/// Which fake container namespace an interface lives in (a namespace's identity, as the store
/// records it).
struct NamespaceKey: Hashable, Sendable {
    let device: UInt64
    let inode: UInt64
}

/// The kernel as ``FakeNetworkDriver`` keeps it: a value, so a test can copy it at a fault
/// point (what a crash would leave) and start a new driver on the copy.
///
/// Only what the engine's transactions change is modelled: network devices, endpoint links
/// (host end, and the container end in its namespace), the container's address, and each
/// namespace's default route.
struct FakeKernel: Equatable, Sendable {
    /// A network's device (a bridge), tagged with the id of the network that made it.
    struct Device: Equatable, Sendable {
        var networkID: String
        var mtu: Int
    }

    /// An endpoint's link: a veth pair, the host end named by the key of ``links``.
    struct Link: Equatable, Sendable {
        var endpointID: String
        /// The device the host end is a port of.
        var device: String
        /// The network id its group was derived from (from the hint it was made with).
        var networkID: String
        /// `.present`, or `.retired` by a detach that has not deleted it yet.
        var state: LinkState
        var namespace: NamespaceKey
        /// The container end's name in its namespace (a retired one is renamed out of the way).
        var name: String
        var mac: MACAddress
        var address: IPv4Interface?
        var address6: IPv6Interface?
        /// Set when ports were prepared (hairpin on a bridge port).
        var hairpin = false
    }

    var devices: [String: Device] = [:]
    /// By host interface name.
    var links: [String: Link] = [:]
    /// Each namespace's default route, as the host interface name of the link it goes through.
    var defaultRoutes: [NamespaceKey: String] = [:]
    /// Each namespace's IPv6 default route, likewise.
    var defaultRoutes6: [NamespaceKey: String] = [:]

    /// The host end of the link whose container end is `name` in `namespace`, if any.
    func link(named name: String, in namespace: NamespaceKey) -> String? {
        links.first { $0.value.namespace == namespace && $0.value.name == name }?.key
    }

    /// Deletes a link; its namespace's default route goes with it, as in the kernel.
    mutating func deleteLink(_ hostIfname: String) {
        guard let link = links.removeValue(forKey: hostIfname) else { return }
        if defaultRoutes[link.namespace] == hostIfname { defaultRoutes[link.namespace] = nil }
        if defaultRoutes6[link.namespace] == hostIfname { defaultRoutes6[link.namespace] = nil }
    }
}
