/// The forward part of Berth's table: what may cross a Berth bridge, and the mark that tells
/// other firewalls Berth has vetted a packet.
///
/// A drop at the forward hook in any table beats an accept in another, so Berth's accepts alone
/// do not get traffic past a firewall whose forward policy is drop (Docker's `FORWARD`). Every
/// packet Berth lets through is therefore also marked with ``vettedMark``, at priority
/// `filter - 1`, before iptables' chains (priority `filter`) see it; one rule accepting that
/// mark where the other firewall expects users' rules (``DockerAccept``) is then all it needs.
extension Ruleset {
    /// The packet-mark bit Berth sets on the forwarded packets its own rules accepted: egress
    /// of a network's own addresses, traffic between its containers, replies, published ports.
    public static let vettedMark: UInt32 = 0x0010_0000

    /// The same bit as nft and iptables print it.
    public static var vettedMarkHex: String { "0x\(String(vettedMark, radix: 16))" }

    /// Dispatches by bridge, in O(1) per packet: first what leaves a Berth bridge (so its source
    /// is checked whatever the destination), then what enters one from elsewhere.
    static func forward(_ networks: [FirewallNetwork]) -> String {
        let outbound = networks.map { "\"\($0.bridge)\" : jump fwd-out-\($0.id)" }.joined(separator: ", ")
        let inbound = networks.map { "\"\($0.bridge)\" : jump fwd-in-\($0.id)" }.joined(separator: ", ")
        return """
              chain forward {
                type filter hook forward priority filter - 1; policy accept;
                iifname vmap { \(outbound) }
                oifname vmap { \(inbound) }
              }

              chain vetted {
                meta mark set meta mark | \(vettedMarkHex) accept
              }

              chain egress {
                oifname @bridges goto vetted
                meta oifkind "bridge" oifname { "docker*", "br-*" } accept
                goto vetted
              }


            """
    }

    /// Per network: only the network's own subnets may leave its bridge (anti-spoofing: one rule
    /// per network and family, nothing per container), and only replies and published ports may
    /// enter it (the prerouting guard has already dropped everything else addressed to the
    /// subnets). Egress towards a Docker bridge is accepted but not marked (``egress``), so
    /// Docker's own rules still keep Berth's containers away from its containers' unpublished ports.
    ///
    /// IPv6 link-local and unspecified sources (neighbour discovery, duplicate address detection,
    /// multicast listener reports) are never routed, only bridged; they reach this hook only when
    /// the host passes bridged IPv6 through netfilter (`bridge-nf-call-ip6tables`), and may then
    /// go back into their own bridge.
    static func forwardChains(for n: FirewallNetwork) -> String {
        var leaving = ""
        if let subnet = n.subnet {
            leaving += n.isInternal
                ? "    ip saddr \(subnet) oifname \"\(n.bridge)\" goto vetted\n"
                : "    ip saddr \(subnet) goto egress\n"
        }
        if let subnet6 = n.subnet6 {
            leaving += n.isInternal
                ? "    ip6 saddr \(subnet6) oifname \"\(n.bridge)\" goto vetted\n"
                : "    ip6 saddr \(subnet6) goto egress\n"
            leaving += "    ip6 saddr { ::/128, fe80::/10 } oifname \"\(n.bridge)\" goto vetted\n"
        }
        // An overlay: the other hosts' containers may reach this block through the VXLAN device,
        // and this block theirs (before egress, whatever the other firewalls say of it).
        var arriving = ""
        if let overlay = n.overlay, let subnet = n.subnet {
            arriving = "    iifname \"\(overlay.device)\" ip saddr \(overlay.subnet) goto vetted\n"
            leaving = "    ip saddr \(subnet) oifname \"\(overlay.device)\" ip daddr \(overlay.subnet) goto vetted\n" + leaving
        }
        return """
              chain fwd-in-\(n.id) {
                ct state established,related goto vetted
                ct status dnat goto vetted
            \(arriving)  }

              chain fwd-out-\(n.id) {
            \(leaving)    drop
              }


            """
    }
}
