import ArgumentParser
import BerthAddress
import BerthEngine

// Typed parsing of addresses at the argument layer, so a bad value is reported with the
// option's name before anything runs.



/// A CIDR subnet argument; host bits must be zero.
struct SubnetArgument: ExpressibleByArgument {
    let subnet: IPv4Subnet
    init?(argument: String) {
        guard let s = IPv4Subnet(argument) else { return nil }
        subnet = s
    }
}

/// Parses `K=V` labels; keys must be non-empty.
func parseLabels(_ items: [String]) throws -> [String: String] {
    var labels: [String: String] = [:]
    for item in items {
        guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
            throw BerthError.invalidArgument("invalid label '\(Validation.printable(item))': expected KEY=VALUE")
        }
        labels[String(item[..<eq])] = String(item[item.index(after: eq)...])
    }
    return labels
}

/// A CIDR subnet of either family (`--subnet`, `--ip-range`); host bits must be zero.
struct AnySubnetArgument: ExpressibleByArgument {
    enum Family { case v4(IPv4Subnet), v6(IPv6Subnet) }
    let subnet: Family
    init?(argument: String) {
        if let s = IPv4Subnet(argument) {
            subnet = .v4(s)
        } else if let s = IPv6Subnet(argument) {
            subnet = .v6(s)
        } else {
            return nil
        }
    }

    /// At most one subnet per family.
    static func perFamily(_ values: [Self], option: String) throws -> (IPv4Subnet?, IPv6Subnet?) {
        var v4: [IPv4Subnet] = [], v6: [IPv6Subnet] = []
        for value in values {
            switch value.subnet {
            case .v4(let s): v4.append(s)
            case .v6(let s): v6.append(s)
            }
        }
        if v4.count > 1 || v6.count > 1 {
            throw ValidationError("\(option) may be given once per family (one IPv4, one IPv6)")
        }
        return (v4.first, v6.first)
    }
}
