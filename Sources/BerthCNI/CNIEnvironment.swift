import BerthAddress
import BerthEngine
import Glibc

/// The CNI_* variables a runtime sets, read once at start-up.
public struct CNIEnvironment: Sendable, Equatable {
    public enum Command: String, Sendable {
        case add = "ADD", del = "DEL", check = "CHECK", status = "STATUS", gc = "GC", version = "VERSION"
    }

    public var command: String
    public var containerID: String
    public var netns: String
    public var ifname: String
    public var args: String
    public var path: String

    public init(command: String, containerID: String = "", netns: String = "", ifname: String = "",
                args: String = "", path: String = "") {
        self.command = command
        self.containerID = containerID
        self.netns = netns
        self.ifname = ifname
        self.args = args
        self.path = path
    }

    /// Reads the process environment (unset variables read as "").
    static func fromProcess() -> CNIEnvironment {
        func get(_ name: String) -> String {
            guard let v = getenv(name) else { return "" }
            return String(cString: v)
        }
        return CNIEnvironment(command: get("CNI_COMMAND"), containerID: get("CNI_CONTAINERID"),
                              netns: get("CNI_NETNS"), ifname: get("CNI_IFNAME"),
                              args: get("CNI_ARGS"), path: get("CNI_PATH"))
    }

    /// The command, or code 4 naming the unknown one.
    func parsedCommand() throws -> Command {
        guard let c = Command(rawValue: command) else {
            throw CNIError(.invalidEnvironment, "unknown CNI_COMMAND '\(Validation.printable(command))'",
                           details: "expected ADD, DEL, CHECK, STATUS, GC or VERSION")
        }
        return c
    }

    /// CNI_CONTAINERID, required and well-formed (spec: alphanumerics, `_`, `.`, `-`).
    func requireContainerID() throws -> String {
        guard !containerID.isEmpty else { throw CNIError(.invalidEnvironment, "CNI_CONTAINERID is not set") }
        guard containerID.utf8.count <= 256, let first = containerID.utf8.first, Self.isAlnum(first),
              containerID.utf8.allSatisfy({ Self.isAlnum($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") })
        else {
            throw CNIError(.invalidEnvironment, "invalid CNI_CONTAINERID '\(Validation.printable(containerID))'")
        }
        return containerID
    }

    /// CNI_IFNAME, required and a valid interface name.
    func requireIfname() throws -> String {
        guard !ifname.isEmpty else { throw CNIError(.invalidEnvironment, "CNI_IFNAME is not set") }
        do {
            try Validation.interfaceName(ifname, what: "CNI_IFNAME")
        } catch {
            throw CNIError(.invalidEnvironment, "\(error)")
        }
        return ifname
    }

    /// CNI_NETNS, required (ADD, CHECK).
    func requireNetns() throws -> String {
        guard !netns.isEmpty else { throw CNIError(.invalidEnvironment, "CNI_NETNS is not set") }
        return netns
    }

    private static func isAlnum(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z"))
            || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
    }
}

/// `CNI_ARGS`: `K=V;K=V`. Berth understands `IP` and `MAC`; any other key is an error unless
/// `IgnoreUnknown` is `1` or `true` (as in the reference plugins).
public struct CNIArgs: Sendable, Equatable {
    public var ip: IPv4Address?
    public var ip6: IPv6Address?
    public var mac: MACAddress?
    /// `K8S_POD_NAME`: the container's name in a DNS network's name service.
    public var podName: String?

    public init(ip: IPv4Address? = nil, ip6: IPv6Address? = nil, mac: MACAddress? = nil, podName: String? = nil) {
        self.ip = ip
        self.ip6 = ip6
        self.mac = mac
        self.podName = podName
    }

    public init(parsing text: String) throws {
        var pairs: [(String, String)] = []
        for part in text.split(separator: ";", omittingEmptySubsequences: true) {
            guard let eq = part.firstIndex(of: "="), eq != part.startIndex else {
                throw CNIError(.invalidEnvironment, "CNI_ARGS: '\(Validation.printable(String(part)))' is not KEY=VALUE")
            }
            pairs.append((String(part[..<eq]), String(part[part.index(after: eq)...])))
        }
        let ignoreUnknown = pairs.contains { $0.0 == "IgnoreUnknown" && ($0.1 == "1" || $0.1.lowercased() == "true") }
        for (key, value) in pairs {
            switch key {
            case "IP":
                // A comma-separated list, as host-local takes it: one address per family.
                let entries = value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                let addresses = try StaticAddresses(parsing: entries, source: "CNI_ARGS IP", code: .invalidEnvironment)
                (ip, ip6) = (addresses.ipv4, addresses.ipv6)
            case "MAC":
                guard let m = MACAddress(value) else {
                    throw CNIError(.invalidEnvironment, "CNI_ARGS: MAC '\(Validation.printable(value))' is not a MAC address")
                }
                mac = m
            case "K8S_POD_NAME":
                podName = value.isEmpty ? nil : value
            case "IgnoreUnknown":
                continue
            default:
                if !ignoreUnknown {
                    throw CNIError(.invalidEnvironment, "CNI_ARGS: unknown key '\(Validation.printable(key))'",
                                   details: "add IgnoreUnknown=1 to pass keys meant for other plugins")
                }
            }
        }
    }
}
