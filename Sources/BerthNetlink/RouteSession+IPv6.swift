import BerthAddress

/// The IPv6 side of the session's commands (dual-stack networks).
extension RouteSession {
    /// Every IPv6 address in the namespace.
    public func addresses6() throws -> [Address6Info] {
        try query(RouteRequests.dumpAddresses(family: AddressFamily.inet6), "list IPv6 addresses").compactMap(Address6Info.init)
    }

    /// Every IPv6 route in every table.
    public func routes6() throws -> [Route6Info] {
        try query(RouteRequests.dumpRoutes(family: AddressFamily.inet6), "list IPv6 routes").compactMap(Route6Info.init)
    }

    /// Adds an IPv6 address to the link with `index`, usable at once: without duplicate address
    /// detection, which would hold it back for a second or more.
    public func addAddress(_ address: IPv6Interface, index: Int32) throws {
        try execute(RouteRequests.addAddress(address, index: index, noDAD: true), "add address \(address)")
    }

    /// Adds a default route via `gateway` out of the link with `index` (`metric` 0: the
    /// kernel's default metric).
    public func addDefaultRoute(via gateway: IPv6Address, index: Int32, metric: UInt32 = 0) throws {
        try execute(RouteRequests.addDefaultRoute(via: gateway, index: index, metric: metric), "add default route via \(gateway)")
    }
}
