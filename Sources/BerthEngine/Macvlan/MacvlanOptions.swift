import BerthNetlink
import BerthStore

/// A macvlan network's own settings, read from its record (or hint) and checked: the parent
/// (``NetworkRecord/parent``) and the mode (`driverOptions["mode"]`, bridge unless given).
struct MacvlanOptions: Equatable {
    /// The host interface the network's macvlans hang off.
    let parent: String
    let mode: MacvlanMode

    /// The one option key a macvlan network takes.
    static let modeKey = "mode"

    init(parent: String, mode: MacvlanMode) {
        self.parent = parent
        self.mode = mode
    }

    /// Reads and checks a network's parent and options (`network` names it in errors).
    init(parent: String, options: [String: String], network: String) throws {
        guard !parent.isEmpty else {
            throw BerthError.invalidArgument("macvlan network '\(network)' needs a parent interface (--parent)")
        }
        try Validation.interfaceName(parent, what: "parent interface")
        if let key = options.keys.sorted().first(where: { $0 != Self.modeKey }) {
            throw BerthError.invalidArgument("unknown macvlan option '\(Validation.printable(key))': the only one is mode")
        }
        let text = options[Self.modeKey] ?? MacvlanMode.bridge.rawValue
        guard let mode = MacvlanMode(rawValue: text) else {
            throw BerthError.invalidArgument("macvlan mode '\(Validation.printable(text))' is not one of: \(MacvlanMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self.init(parent: parent, mode: mode)
    }

    init(_ network: NetworkRecord) throws {
        try self.init(parent: network.parent, options: network.driverOptions, network: network.name)
    }

    init(_ hint: NetworkHint, network: String) throws {
        try self.init(parent: hint.parent, options: hint.mode.isEmpty ? [:] : [Self.modeKey: hint.mode], network: network)
    }
}
