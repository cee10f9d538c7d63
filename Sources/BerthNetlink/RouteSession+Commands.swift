import BerthAddress
import Glibc

extension RouteSession {
    /// The index of the link called `name`, or nil when there is none.
    public func linkIndex(name: String) throws -> Int32? {
        try link(name: name)?.index
    }

    /// The link called `name`, or nil when there is none.
    public func link(name: String) throws -> LinkInfo? {
        do {
            return try query(RouteRequests.getLink(name: name), "look up link \(name)").lazy.compactMap(LinkInfo.init).first
        } catch let error as NetlinkError where error.errno == ENODEV {
            return nil
        }
    }

    /// Every link in the namespace.
    public func links() throws -> [LinkInfo] {
        try query(RouteRequests.dumpLinks(), "list links").compactMap(LinkInfo.init)
    }

    /// Every IPv4 address in the namespace.
    public func addresses() throws -> [AddressInfo] {
        try query(RouteRequests.dumpAddresses(family: AddressFamily.inet), "list addresses").compactMap(AddressInfo.init)
    }

    /// Every IPv4 route in every table.
    public func routes() throws -> [RouteInfo] {
        try query(RouteRequests.dumpRoutes(family: AddressFamily.inet), "list routes").compactMap(RouteInfo.init)
    }

    /// Creates a bridge and brings it up.
    public func createBridge(name: String, mac: MACAddress?, mtu: Int) throws {
        try execute(RouteRequests.createBridge(name: name, mac: mac, mtu: mtu), "create bridge \(name)")
    }

    /// Deletes the link with `index`.
    public func deleteLink(index: Int32) throws {
        try execute(RouteRequests.deleteLink(index: index), "delete link \(index)")
    }

    /// Deletes the link called `name`; returns false when there was none.
    @discardableResult
    public func deleteLink(name: String) throws -> Bool {
        do {
            try execute(RouteRequests.deleteLink(name: name), "delete link \(name)")
            return true
        } catch let error as NetlinkError where error.errno == ENODEV {
            return false
        }
    }

    /// Deletes many links by name in one datagram; names that are already gone are ignored.
    /// Returns the names that were deleted.
    @discardableResult
    public func deleteLinks(names: [String]) throws -> [String] {
        var gone: [String] = []
        for chunk in stride(from: 0, to: names.count, by: 256).map({ names[$0..<min($0 + 256, names.count)] }) {
            do {
                try execute(chunk.map { (RouteRequests.deleteLink(name: $0), "delete link \($0)") })
            } catch let error as NetlinkError where error.errno == ENODEV {
                // Some were gone already; the kernel still deleted the rest of the datagram.
            }
            gone += chunk
        }
        return gone
    }

    /// Deletes every device of `group`; returns false when there was none.
    @discardableResult
    public func deleteLinks(group: UInt32) throws -> Bool {
        do {
            try execute(RouteRequests.deleteLinks(group: group), "delete link group \(group)")
            return true
        } catch let error as NetlinkError where error.errno == ENODEV {
            return false
        }
    }

    /// Adds an IPv4 address to the link with `index`.
    public func addAddress(_ address: IPv4Interface, index: Int32) throws {
        try execute(RouteRequests.addAddress(address, index: index), "add address \(address)")
    }

    /// Adds a default route via `gateway` out of the link with `index` (`metric` 0: the
    /// kernel's default metric).
    public func addDefaultRoute(via gateway: IPv4Address, index: Int32, metric: UInt32 = 0) throws {
        try execute(RouteRequests.addDefaultRoute(via: gateway, index: index, metric: metric), "add default route via \(gateway)")
    }

    /// Brings the link with `index` up.
    public func setLinkUp(index: Int32) throws {
        try execute(RouteRequests.setLinkUp(index: index), "set link \(index) up")
    }
}
