import BerthAddress
import BerthNetlink

/// What the host already uses, so an automatic subnet never shadows it: subnets of interface
/// addresses, on-link routes, and the nameservers of resolv.conf.
struct HostSurvey {
    var occupied: [IPv4Subnet] = []
    /// IPv6 prefixes of interface addresses and routes (not link-local, multicast or default).
    var occupied6: [IPv6Subnet] = []
    var nameservers: [IPv4Address] = []

    static func take(session: RouteSession, resolvConf: String) throws -> HostSurvey {
        var survey = HostSurvey()
        for a in try session.addresses() where !a.address.address.isLoopback {
            survey.occupied.append(a.address.subnet)
        }
        for r in try session.routes() where r.isOnLink && r.destination.prefixLength > 0
            && r.table != 255 && !r.destination.network.isLoopback {
            survey.occupied.append(r.destination)
        }
        for a in try session.addresses6() where !a.address.address.isLinkLocal && !a.address.address.isLoopback {
            survey.occupied6.append(IPv6Subnet(address: a.address.address, prefixLength: a.address.prefixLength))
        }
        for r in try session.routes6() where r.destination.prefixLength > 0 && r.table != 255
            && !r.destination.network.isLinkLocal && !r.destination.network.isMulticast && !r.destination.network.isLoopback {
            survey.occupied6.append(r.destination)
        }
        survey.nameservers = parseNameservers((try? SystemFile.read(resolvConf)) ?? "")
        return survey
    }

    /// IPv4 `nameserver` lines of a resolv.conf.
    static func parseNameservers(_ text: String) -> [IPv4Address] {
        text.split(separator: "\n").compactMap { line in
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard words.count >= 2, words[0] == "nameserver" else { return nil }
            return IPv4Address(words[1])
        }
    }
}
