/// Bridge-port settings, for endpoints that publish ports.
extension RouteRequests {
    /// `IFLA_INFO_SLAVE_DATA`, nested in `IFLA_LINKINFO` of a bridge port.
    static let infoSlaveData: UInt16 = 5
    /// `IFLA_BRPORT_MODE` (u8): hairpin mode, inside the slave data of a bridge port.
    static let bridgePortMode: UInt16 = 4

    /// `ip link set NAME type bridge_slave hairpin on`: lets the bridge send a frame back out of
    /// the port it came in on. A container reaching its own published port through a host
    /// address needs it when the host bridges IPv4 through netfilter (br_netfilter): the DNAT'ed
    /// frame is then bridged straight back to the port it arrived on.
    public static func setHairpin(name: String) -> NetlinkRequest {
        var r = NetlinkRequest(type: RTM.newLink, flags: NLFlag.ack)
        r.appendIfInfo()
        r.attribute(IFLA.ifname, string: name)
        r.nested(IFLA.linkinfo) { info in
            info.nested(infoSlaveData) { $0.attribute(bridgePortMode, [1]) }
        }
        return r
    }
}
