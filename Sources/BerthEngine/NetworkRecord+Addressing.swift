import BerthStore

extension NetworkRecord {
    /// True for a network without addresses (``NetworkSpec/addressless``, Podman's IPAM
    /// `none`): neither an IPv4 nor an IPv6 subnet. Its containers get an interface without
    /// addresses or routes, and the firewall has nothing of it to render.
    var isAddressless: Bool { subnet == nil && subnet6 == nil }
}
