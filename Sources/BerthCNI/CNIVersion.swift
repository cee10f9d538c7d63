/// The CNI spec versions Berth speaks, and what differs between their result shapes.
public enum CNIVersion {
    /// Every version Berth accepts in a configuration, oldest first.
    public static let supported = ["0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"]
    /// The newest version, used when a request does not name one.
    public static let latest = "1.1.0"

    public static func isSupported(_ version: String) -> Bool { supported.contains(version) }

    /// Results before 1.0.0 carry `"version": "4"` in every IP entry.
    static func ipsCarryVersion(_ version: String) -> Bool { version.hasPrefix("0.") }

    /// CHECK exists from 0.4.0 on.
    static func hasCheck(_ version: String) -> Bool { version != "0.3.0" && version != "0.3.1" }

    /// Interfaces report their MTU from 1.1.0 on.
    static func interfacesCarryMTU(_ version: String) -> Bool { version == "1.1.0" }
}
