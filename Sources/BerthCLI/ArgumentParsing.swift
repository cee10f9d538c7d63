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
