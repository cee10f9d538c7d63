/// The members of a JSON object, in document order.
///
/// A list rather than a dictionary: configuration objects have a handful of members, and a
/// dictionary's first use costs a fresh process more (generic metadata and a scan of the
/// runtime's protocol conformances for `String: Hashable`) than every lookup it would speed up.
/// A name given twice means its last value, as with most JSON readers.
public struct JSONObject: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    /// Every member as written, duplicates included.
    public private(set) var members: [(name: String, value: JSONNode)]

    /// An object with `members` in this order.
    public init(_ members: [(name: String, value: JSONNode)] = []) {
        self.members = members
    }

    public init(dictionaryLiteral elements: (String, JSONNode)...) {
        members = elements.map { (name: $0.0, value: $0.1) }
    }

    /// Adds a member at the end (a later one with the same name wins).
    public mutating func append(_ name: String, _ value: JSONNode) {
        members.append((name: name, value: value))
    }

    /// The value of the last member called `name`.
    public subscript(name: String) -> JSONNode? {
        members.last { $0.name == name }?.value
    }

    /// The names, each once, in order of first appearance.
    public var names: [String] {
        var seen: [String] = []
        for member in members where !seen.contains(member.name) { seen.append(member.name) }
        return seen
    }

    /// Equal when both have the same names with equal values, whatever the order.
    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        let names = a.names
        return names.count == b.names.count && names.allSatisfy { a[$0] == b[$0] }
    }
}
